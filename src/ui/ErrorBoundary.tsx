// ui: catches a render error in a view and shows what happened with a retry, so the page never goes blank.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What failed, e.g. "The tensor view". */
  readonly what: string;
  readonly children: ReactNode;
}

export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`${this.props.what} failed to draw`, error, info.componentStack);
  }

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="view-error" role="alert">
        <p>{this.props.what} failed to draw: {error.message}</p>
        <p>Your settings are kept. Try again, or change a setting.</p>
        <button type="button" className="button" onClick={() => this.setState({ error: null })}>Try again</button>
      </div>
    );
  }
}
