import { Component, type ReactNode } from 'react';
import { ErrorNotice } from './ErrorNotice.tsx';

/** Shows a page that failed to render (or to load) as an error notice instead of a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: undefined };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    return this.state.error !== undefined ? <ErrorNotice error={this.state.error} /> : this.props.children;
  }
}
