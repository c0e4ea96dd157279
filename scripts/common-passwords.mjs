// Generates src/signin/common-passwords.txt: passwords that guessers try first, built offline from
// well-known patterns (the most common passwords of public breach compilations, common words with
// the digits and symbols people append, keyboard walks, digit runs and repeats). Lower-case, one per
// line, sorted; the server compares a candidate's lower-case form against it.
// Usage: node scripts/common-passwords.mjs
import { writeFileSync } from 'node:fs';

const top = `123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123
football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman
1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer
harley batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster
112233 george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie
159753 aaaaaa ginger princess joshua cheese amanda summer love ashley nicole chelsea biteme matthew access
yankees 987654321 dallas austin thunder taylor matrix mobilemail mom monitor monitoring montana moon moscow
welcome welcome1 password1 password123 passw0rd p@ssw0rd p@ssword admin admin123 administrator root toor
changeme default guest login secret letmein1 qwerty123 qwerty1 abc12345 iloveyou1 princess1 football1 monkey1
1q2w3e4r 1q2w3e4r5t 1q2w3e zaq12wsx q1w2e3r4 q1w2e3r4t5 a1b2c3d4 abcd1234 abcdef abcdefg abcdefgh test test123
testing test1234 temp temp123 user user123 demo demo123 sample hello hello123 whatever trustme football123
starwars1 solo flower hottie loveme zaq1zaq1 secret123 qwertyui asdfghjkl asdfasdf azerty azertyuiop
portcullis ibmcloud ibm123 cloud cloud123 ibmid`;

const words = `password pass admin welcome love monkey dragon master shadow sunshine princess football baseball soccer
hockey summer winter spring autumn letmein qwerty secret freedom flower hello charlie michael jordan jennifer
ashley jessica daniel thomas robert andrew joshua matthew nicole michelle amanda hunter ranger batman superman
tigger ginger pepper maggie buster cookie chocolate orange banana apple purple silver golden diamond angel
computer internet samsung google iphone company office family friends forever blessed jesus heaven london
berlin paris madrid chicago america canada germany france mexico london summer2024 welcome2024 cloud server
access login admin1 manager service system database oracle support student teacher doctor killer pokemon
naruto minecraft fortnite liverpool arsenal chelsea barcelona`.split(/\s+/).filter(Boolean);

const suffixes = ['', '1', '12', '123', '1234', '12345', '!', '1!', '123!', '01', '007', '69', '99', '2020', '2021', '2022', '2023', '2024', '2025', '2026', '@123', '#1'];
const leet = (w) => w.replace(/a/g, '@').replace(/o/g, '0').replace(/e/g, '3').replace(/i/g, '1').replace(/s/g, '$');

const out = new Set(top.split(/\s+/).filter(Boolean));
for (const word of words) {
  for (const suffix of suffixes) {
    out.add(word + suffix);
    out.add(leet(word) + suffix);
  }
}
const walks = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1qaz2wsx3edc', 'qazwsxedc', '1234qwer', 'qwer1234', 'asdf1234', '1q2w3e4r5t6y', 'zaq12wsxcde3'];
for (const walk of walks) for (let n = 6; n <= walk.length; n++) out.add(walk.slice(0, n));
const digits = '1234567890';
for (let n = 4; n <= 10; n++) {
  out.add(digits.slice(0, n));
  out.add([...digits.slice(0, n)].reverse().join(''));
}
for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789') for (let n = 6; n <= 12; n++) out.add(c.repeat(n));
for (let year = 1950; year <= 2030; year++) for (const word of ['', 'password', 'love', 'summer', 'welcome']) out.add(`${word}${year}`);

const list = [...out].map((p) => p.toLowerCase()).filter((p) => p.length >= 4);
writeFileSync(new URL('../src/signin/common-passwords.txt', import.meta.url), [...new Set(list)].sort().join('\n') + '\n');
console.log(`${new Set(list).size} passwords`);
