// Helpers shared by the `ip` subcommands, after iproute2's lib/utils.c:
// matches(), invarg(), duparg2(), and the way netlink errors are printed.
import type { Ipv4Address } from "../../model/address.js";
import { STRERROR, type KernelError, type KernelResult } from "../../model/errno.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { deviceByName } from "../../net/index.js";
import { CommandError } from "../command.js";

/** iproute2's matches(): the word is a non-empty prefix of the keyword. */
export function matches(word: string, keyword: string): boolean {
  return word.length > 0 && keyword.startsWith(word);
}

/** How iproute2 reports a netlink error: the extack message if the kernel sent one. */
export function netlinkErrorText(error: KernelError): string {
  return error.extack !== undefined ? `Error: ${error.extack}.` : `RTNETLINK answers: ${STRERROR[error.errno]}`;
}

export function checkKernel<T>(result: KernelResult<T>): T {
  if (!result.ok) throw new CommandError(netlinkErrorText(result.error), 2);
  return result.value;
}

export function invalidArgument(message: string, argument: string): never {
  // invarg() prints the message and a newline; several callers end their message with "\n" too, leaving an empty line.
  throw new CommandError(`Error: argument "${argument}" is wrong: ${message}\n`, 255);
}

export function duplicateArgument(keyword: string, argument: string): never {
  throw new CommandError(`Error: either "${keyword}" is duplicate, or "${argument}" is a garbage.`, 255);
}

export function incompleteCommand(): never {
  throw new CommandError('Command line is not complete. Try option "help"', 255);
}

/** ll_name_to_index(): a device the user named, or iproute2's complaint. */
export function requireDevice(namespace: NetworkNamespace, name: string): NetDevice {
  const device = deviceByName(namespace, name);
  if (!device) throw new CommandError(`Cannot find device "${name}"`, 1);
  return device;
}

/** get_u32(&value, text, 0): the whole text as strtoul(text, 0) reads it (decimal, 0x hex, leading-0 octal), at most 0xffffffff. */
export function getUnsigned(text: string): number | undefined {
  const match = /^\s*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const digits = match[1]!;
  const value = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith("0") ? (digits.length === 1 ? 0 : parseInt(digits.slice(1), 8)) : Number(digits);
  return value <= 0xffffffff ? value : undefined;
}

/** rtnl_rttable_a2n(): a name of /etc/iproute2/rt_tables (Debian's: local, main, default, unspec) or a number. */
export function rttableA2n(text: string): number | undefined {
  switch (text) {
    case "local":
      return 255;
    case "main":
      return 254;
    case "default":
      return 253;
    case "unspec":
      return 0;
    default:
      return getUnsigned(text);
  }
}

/** Walks argv the way iproute2's NEXT_ARG() does. */
export class Arguments {
  private position = 0;
  constructor(private readonly words: readonly string[]) {}

  get done(): boolean {
    return this.position >= this.words.length;
  }

  peek(): string | undefined {
    return this.words[this.position];
  }

  next(): string {
    const word = this.words[this.position++];
    if (word === undefined) incompleteCommand();
    return word;
  }

  /** NEXT_ARG(): the value that must follow a keyword. */
  value(): string {
    if (this.position >= this.words.length) incompleteCommand();
    return this.words[this.position++]!;
  }

  rest(): string[] {
    const rest = this.words.slice(this.position);
    this.position = this.words.length;
    return rest;
  }
}

/**
 * lib/utils.c get_addr_ipv4(): up to four dot-separated parts, each as
 * strtoul(.., 0) reads it (decimal, 0octal, 0xhex), each at most 255,
 * filling the bytes from the left: "10.8" is 10.8.0.0 and "127.1" is
 * 127.1.0.0 (unlike inet_aton()).
 */
export function getAddrIpv4(text: string): Ipv4Address | undefined {
  const parts = text.split(".");
  if (parts.length > 4) return undefined;
  let address = 0;
  for (let index = 0; index < 4; index++) {
    const part = parts[index];
    let value = 0;
    if (part !== undefined) {
      if (/^0[xX][0-9a-fA-F]+$/.test(part)) value = parseInt(part.slice(2), 16);
      else if (/^0[0-7]*$/.test(part)) value = part.length === 1 ? 0 : parseInt(part.slice(1), 8);
      else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
      else return undefined;
      if (value > 255) return undefined;
    }
    address = address * 256 + value;
  }
  return address;
}

export function parseAddressOrThrow(text: string, message: (text: string) => string): Ipv4Address {
  const address = getAddrIpv4(text);
  if (address === undefined) throw new CommandError(message(text), 1);
  return address;
}

/** get_prefix(): ADDRESS[/LEN]; without /LEN the full 32 bits. */
export function parsePrefix(text: string): { address: Ipv4Address; length: number; lengthGiven: boolean } | undefined {
  const [addressText, lengthText, extra] = text.split("/");
  if (extra !== undefined || addressText === undefined) return undefined;
  const address = getAddrIpv4(addressText);
  if (address === undefined) return undefined;
  if (lengthText === undefined) return { address, length: 32, lengthGiven: false };
  if (!/^\d+$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > 32) return undefined;
  return { address, length, lengthGiven: true };
}
