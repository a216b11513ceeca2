/**
 * Problems met while reading a capture file. A closed vocabulary, in the manner of
 * wiretap's WTAP_ERR_*: every reader speaks it, reports render it.
 */

/** Stable codes, documented in the README. */
export const READ_PROBLEM_CODES = {
  'not-a-capture': 'the file does not start with the magic number of any supported capture format',
  'empty-file': 'the file holds no bytes at all',
  'bad-header': 'the file header is malformed or of an unsupported version',
  'truncated-record': 'the file ends inside a record: the data was cut short (copy interrupted, capture killed)',
  'bad-record-length': 'a length field is impossible (larger than the snaplen, the file, or a sane maximum)',
  'unknown-block': 'a pcapng block of a type rpctrace does not know was skipped',
  'bad-block': 'a pcapng block is malformed; reading stopped or the block was skipped',
  'bad-frame-table': 'a Network Monitor frame table entry points outside the file',
  'unknown-interface': 'a packet names an interface that no Interface Description Block declared',
  'unsupported-link-type': 'frames of a link type rpctrace cannot decode were counted but not analyzed',
  'undecoded-encapsulation': 'frames whose packet sits inside an encapsulation rpctrace recognises but does not decode were counted but not analyzed',
  'decompress-error': 'the gzip stream is corrupt or cut short',
  'io-error': 'the operating system could not read the file',
  'internal-error': 'rpctrace failed on this file (a bug: please report it); the other files of a scan are still read',
} as const;
export type ReadProblemCode = keyof typeof READ_PROBLEM_CODES;

/**
 * One problem. `severity` is `error` when reading stopped there (frames before it are still
 * analyzed), `warning` when something was skipped and reading went on.
 */
export interface ReadProblem {
  readonly code: ReadProblemCode;
  readonly severity: 'warning' | 'error';
  /** Byte offset in the capture data (after decompression for gzip input). */
  readonly offset: number;
  /** What was wrong, naming the format and the value: `pcap: captured length 70000 exceeds snaplen 65535`. */
  readonly message: string;
}
