// A parsed policy rule (policy-rules.ts) whose selectors, sections and texts are worked out
// when first read. The agent resolves policy per identity, and a trace or a dump needs the
// rules of a few identities out of thousands: a large cluster's 5,000 policies then cost
// their CIDR prefixes and endPort checks up front (every ipcache and every error report
// needs those), and the rest only for the rules something reads.
import type { Ipv4Prefix } from '../net/ip.js';
import type { LabelSelector } from '../scenario/types.js';
import type { ParsedRule, RuleRef, RuleSection } from './policy-rules.js';
import type { Selector } from './selector.js';

/** A rule's subject, worked out when first read. */
export interface RuleHead {
  readonly subject: Selector;
  readonly subjectText: string;
}

/** A rule's sections, worked out when first read. */
export interface RuleBody {
  readonly sections: readonly RuleSection[];
  readonly notes: readonly string[];
}

/** A rule with its head and body made on first read (each once). */
export class LazyRule implements ParsedRule {
  readonly ref: RuleRef;
  readonly subjectWritten: LabelSelector;
  readonly hasIngress: boolean;
  readonly hasEgress: boolean;
  readonly cidrPrefixes: readonly Ipv4Prefix[];
  readonly defaultDeny?: ParsedRule['defaultDeny'];
  readonly #head: () => RuleHead;
  readonly #body: () => RuleBody;
  #madeHead: RuleHead | undefined;
  #madeBody: RuleBody | undefined;

  constructor(known: Pick<ParsedRule, 'ref' | 'subjectWritten' | 'hasIngress' | 'hasEgress' | 'cidrPrefixes' | 'defaultDeny'>, head: () => RuleHead, body: () => RuleBody) {
    if (known.defaultDeny) this.defaultDeny = known.defaultDeny;
    this.ref = known.ref;
    this.subjectWritten = known.subjectWritten;
    this.hasIngress = known.hasIngress;
    this.hasEgress = known.hasEgress;
    this.cidrPrefixes = known.cidrPrefixes;
    this.#head = head;
    this.#body = body;
  }

  get subject(): Selector {
    this.#madeHead ??= this.#head();
    return this.#madeHead.subject;
  }

  get subjectText(): string {
    this.#madeHead ??= this.#head();
    return this.#madeHead.subjectText;
  }

  get sections(): readonly RuleSection[] {
    this.#madeBody ??= this.#body();
    return this.#madeBody.sections;
  }

  get notes(): readonly string[] {
    this.#madeBody ??= this.#body();
    return this.#madeBody.notes;
  }
}
