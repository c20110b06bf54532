// The capture port: a packet capture on one interface of a namespace, as a pcap byte stream.

/** One capture point: an interface in a named namespace (or in nslab's own when netns is absent). */
export interface CaptureSpec {
  readonly netns?: string;
  readonly iface: string;
  /** A pcap-filter(7) expression. */
  readonly filter?: string;
}

/** How a capture ended. */
export interface CaptureEnd {
  readonly code: number | null;
  readonly signal: string | null;
  /** The capturer's own complaint, when it exited with an error. */
  readonly error?: string;
  /** Packets the kernel dropped because the capturer could not keep up. */
  readonly dropped?: number;
}

/** The pcap byte stream of a capture. */
export interface ByteStream {
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
}

/** A running capture. */
export interface Capture {
  /** The capturing process (recorded so that `down` can stop it). */
  readonly pid: number;
  /** The pcap stream. */
  readonly stdout: ByteStream;
  /** Resolves once it listens; rejects (KernelError op capture.start) when it fails to start. */
  readonly ready: Promise<void>;
  /** Resolves once it has exited and its output has been read to the end. */
  readonly ended: Promise<CaptureEnd>;
  /** The command a human would type for this capture. */
  readonly equivalent: string;
  /** Ask it to stop (it flushes what it has, then exits). */
  stop(): void;
  /** Kill it. */
  kill(): void;
}

export interface Capturer {
  /** Start capturing; throws NslabError when the capture program is missing, KernelError when the namespace is. */
  start(spec: CaptureSpec): Capture;
  /** Whether `pid` is a capture process (capture records are checked before a signal). */
  isCapture(pid: number): boolean;
}
