// The part of `qrcode` (no bundled types) that sign-in uses.
declare module 'qrcode' {
  const QRCode: {
    /** A PNG of the QR code of `text`, as a `data:image/png;base64,…` URL. */
    toDataURL(text: string, options?: { errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H'; margin?: number; width?: number }): Promise<string>;
  };
  export default QRCode;
}
