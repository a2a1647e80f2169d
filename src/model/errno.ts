// What the kernel answers an rtnetlink request with: an errno and, often, an
// extended-ack message. iproute2 prints "Error: MSG." when there is a message
// and "RTNETLINK answers: STRERROR" when there is not.
export type Errno = "EEXIST" | "ESRCH" | "ENODEV" | "EINVAL" | "ENETUNREACH" | "EBUSY" | "EADDRNOTAVAIL" | "ENOENT" | "EOPNOTSUPP" | "EPERM" | "ENETDOWN" | "EHOSTUNREACH" | "EACCES" | "EAFNOSUPPORT";

export const STRERROR: Record<Errno, string> = {
  EEXIST: "File exists",
  ESRCH: "No such process",
  ENODEV: "No such device",
  EINVAL: "Invalid argument",
  ENETUNREACH: "Network is unreachable",
  EBUSY: "Device or resource busy",
  EADDRNOTAVAIL: "Cannot assign requested address",
  ENOENT: "No such file or directory",
  EOPNOTSUPP: "Operation not supported",
  EPERM: "Operation not permitted",
  ENETDOWN: "Network is down",
  EHOSTUNREACH: "No route to host",
  EACCES: "Permission denied",
  EAFNOSUPPORT: "Address family not supported by protocol",
};

export interface KernelError {
  readonly errno: Errno;
  /** NL_SET_ERR_MSG text, without the trailing period iproute2 adds. */
  readonly extack?: string;
  /** In a batch (nfnetlink_rcv_batch), which message the error answers: its place in the batch, from 0. */
  readonly seq?: number;
}

export type KernelResult<T = void> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: KernelError };

export function ok<T>(value: T): KernelResult<T> {
  return { ok: true, value };
}

export function fail(errno: Errno, extack?: string): { ok: false; error: KernelError } {
  return extack === undefined ? { ok: false, error: { errno } } : { ok: false, error: { errno, extack } };
}
