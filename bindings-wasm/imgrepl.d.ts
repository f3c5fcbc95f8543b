/* tslint:disable */
/* eslint-disable */

/** How a rule's prefix matches an image. */
export type MatchMode = "longest-prefix" | "exact-parent";

/** A range of a string in UTF-16 code units (what `String.prototype.slice` takes). */
export interface Span {
    start: number;
    end: number;
}

/** One finding about a policy. */
export interface Diagnostic {
    severity: "error" | "warning";
    /** A stable kebab-case code, such as `duplicate-prefix`. */
    code: string;
    message: string;
    /** The index of the rule in the array, when the diagnostic is about one rule. */
    rule: number | null;
    field: "repositoryPrefix" | "replaceWith" | null;
    /** The RFC 6901 pointer of what it is about, such as `/2/repositoryPrefix`. */
    pointer: string;
    /** Where it is in the policy text. */
    span: Span;
    /** The other occurrence, for a duplicate. */
    related: Span | null;
}

/** The result of `validatePolicy`. */
export interface Validation {
    /** Whether the policy has no error (it may have warnings). */
    ok: boolean;
    /** The number of rules of a valid policy; 0 when it is invalid. */
    rules: number;
    /** Errors first, then warnings, each in source order. */
    diagnostics: Diagnostic[];
}

/** One rule of a policy. */
export interface Rule {
    repositoryPrefix: string;
    replaceWith: string;
}

/** Options of `Policy.parse`. */
export interface PolicyOptions {
    mode?: MatchMode;
}

/** The result of `policy.rewrite`. */
export interface Rewritten {
    image: string;
    changed: boolean;
    /** The index of the rule that rewrote it. */
    rule: number | null;
}

/** Why an image was left as it is. `offset` counts UTF-16 code units of the image. */
export interface ImageError {
    code: string;
    message: string;
    offset: number;
}

/** One row of `policy.rewriteAll`: the result, or the image itself when left as it is. */
export interface BatchRow {
    image: string;
    rule: number | null;
    error: ImageError | null;
}

/** One `/` boundary of an image, and the rule whose prefix it is. */
export interface Candidate {
    prefix: string;
    rule: number | null;
    /** Whether this boundary is the image's parent path (what exact-parent mode compares). */
    parent: boolean;
}

/** What `explain` found: no match, or the rule that matched and why it is that one. */
export type Outcome =
| { kind: "invalid-image" | "no-empty-prefix-rule" | "no-match" }
| { kind: "rewritten" | "invalid-result"; via: "empty-prefix" | "longest-prefix" | "exact-parent" };

/** The result of `policy.explain`. */
export interface Explanation {
    image: string;
    mode: MatchMode;
    /** Every `/` boundary, longest first. */
    candidates: Candidate[];
    /** The winner in the policy's mode. */
    rule: number | null;
    longestPrefixRule: number | null;
    exactParentRule: number | null;
    modesDisagree: boolean;
    result: string | null;
    error: ImageError | null;
    /** What happened, as data (`reason` says it in words). */
    outcome: Outcome;
    /** One sentence that says what happens and why. */
    reason: string;
}

/** A reference error; `offset` counts UTF-16 code units of the input. */
export interface ReferenceError {
    code: string;
    message: string;
    offset: number;
}

/** One view of a reference: its value, or its error. */
export interface View<T> {
    ok: boolean;
    value: T | null;
    error: ReferenceError | null;
}

/** A reference as written. */
export interface WrittenReference {
    name: string;
    domain: string | null;
    path: string;
    tag: string | null;
    digest: string | null;
}

/** A reference in the normalized view (`docker.io/library/nginx`). */
export interface NormalizedReference {
    name: string;
    domain: string | null;
    path: string;
    tag: string | null;
    digest: string | null;
    familiar: string;
    string: string;
}

/** The result of `parseReference`. */
export interface ParsedReference {
    input: string;
    written: View<WrittenReference>;
    normalized: View<NormalizedReference>;
    dockerRef: View<string>;
}

/**
 * A value of the bursting label: `bursting.cci.io/burst-to-cci` (CCI 2.0, which wins) or
 * `virtual-kubelet.io/burst-to-cci` (CCI 1.0).
 */
export type BurstMode = "auto" | "enforce" | "off";

/** Options of `rewriteWorkload`. */
export interface WorkloadOptions {
    /** A policy (annotation JSON) that wins over the objects' annotations. */
    policy?: string;
    mode?: MatchMode;
    /** The annotation that carries the policy; `coordinator.cci.io/image-replacement` by default. */
    annotationKey?: string;
    /**
     * Rewrite only the pod specs whose bursting label is one of these; the others are reported
     * `not-bursting` and left as they are. Left out: every pod spec is rewritten.
     */
    burst?: BurstMode[];
    /**
     * Warn when a rewrite moves an image to another registry and the pull may fail
     * (`anonymous-pull`, `pull-secret-uncovered`, checked against the manifest's own Secrets);
     * `true` by default.
     */
    checkPulls?: boolean;
}

/** Options of `reviewAdmission`. */
export interface AdmissionOptions {
    mode?: MatchMode;
    annotationKey?: string;
    burst?: BurstMode[];
    /** `anonymous-pull` warnings; `true` by default. */
    checkPulls?: boolean;
    /** Audit mode: no patch; a warning per image that would be rewritten. `false` by default. */
    audit?: boolean;
    /** A namespace (the webhook's own) whose requests are allowed unchanged, unread. */
    excludeNamespace?: string;
}

/** The bursting label of a pod spec, as found. */
export interface BurstLabel {
    /** The value as written (a non-string from JSON: its type, e.g. `a boolean`). */
    value: string;
    /** What the value reads as when it is not a string (`a boolean` for an unquoted YAML `off`); absent for a string. */
    readAs?: string;
    /** What it means; null when it is none of the three values (an `invalid-burst-label` warning). */
    mode: BurstMode | null;
    origin: "pod-template" | "workload";
    /** The RFC 6901 pointer of the label. */
    pointer: string;
    /** The label's key: which of the two generations it is. */
    key: "bursting.cci.io/burst-to-cci" | "virtual-kubelet.io/burst-to-cci";
}

/** A `kubernetes.io/dockerconfigjson` Secret and the registries it covers. */
export interface PullSecret {
    name: string;
    namespace: string | null;
    /** Its registry keys, as the kubelet keeps them (`host[:port][/path]`). */
    registries: string[];
}

/** A ServiceAccount's `imagePullSecrets`: a pod spec that names none of its own pulls with them. */
export interface ServiceAccount {
    name: string;
    namespace: string | null;
    imagePullSecrets: string[];
}

/** The pull secrets (and service accounts) a manifest holds. */
export interface PullSecrets {
    secrets: PullSecret[];
    serviceAccounts: ServiceAccount[];
    /** Secrets that could not be read (`invalid-pull-secret`). */
    problems: WorkloadWarning[];
}

/** Where a policy came from; diagnostics' spans count UTF-16 code units of `annotation`. */
export interface PolicySource {
    origin: "caller" | "pod" | "pod-template" | "workload";
    pointer: string | null;
    annotation: string | null;
    diagnostics: Diagnostic[];
}

/** The rule that rewrote a container's image. */
export interface AppliedRule {
    index: number;
    repositoryPrefix: string;
    replaceWith: string;
}

/** Why a container's image was left as it is; `offset` counts UTF-16 code units of the image. */
export interface ContainerError {
    code: string;
    message: string;
    offset: number | null;
}

/** One container of a workload. */
export interface ContainerRow {
    list: "containers" | "initContainers" | "ephemeralContainers";
    index: number;
    name: string | null;
    /** The RFC 6901 pointer of its `image`. */
    pointer: string;
    before: string | null;
    after: string | null;
    changed: boolean;
    rule: AppliedRule | null;
    error: ContainerError | null;
}

/** One RFC 6902 operation. */
export interface PatchOp {
    op: "replace";
    path: string;
    value: string;
}

/** Something likely wrong with an object that did not stop its rewrite. */
export interface WorkloadWarning {
    code: string;
    message: string;
    pointer: string;
}

/** An error of a whole object; nothing of it is rewritten. */
export interface WorkloadError {
    code: string;
    message: string;
    /** The RFC 6901 pointer of what is wrong in the object. */
    pointer: string;
    /** For `invalid-policy`: the annotation and its diagnostics. */
    policy: PolicySource | null;
}

/** A workload kind, and how its pod spec was found. */
export interface WorkloadKind {
    /** The API group (`""` for the core group, `apps`, `argoproj.io`, …). */
    group: string;
    kind: string;
    /** `table`: a kind imgrepl knows; `shape`: a mapping with `containers` found in an unknown kind. */
    foundBy: "table" | "user" | "shape";
}

/** One pod spec of an object, the policy that applies to it, its label and pull secrets. */
export interface PodSpec {
    pointer: string;
    /** The pod template holding it (`""` for a Pod itself). */
    template: string | null;
    policy: PolicySource | null;
    burst: BurstLabel | null;
    /** Whether the `burst` option excludes it: its images are left as they are. */
    notBursting: boolean;
    /** Whether it opts out (`imgrepl.io/exclude: "true"`, an `excluded` warning): left as it is. */
    excluded: boolean;
    /** The names of its `imagePullSecrets`. */
    imagePullSecrets: string[];
}

/** The report of one object. `kind` is null for an object that is not a workload. */
export interface WorkloadReport {
    kind: WorkloadKind | null;
    policy: PolicySource | null;
    containers: ContainerRow[];
    /** Paths from the object's root. */
    patch: PatchOp[];
    warnings: WorkloadWarning[];
    podSpecs: PodSpec[];
    /** The bursting label of the first pod spec that has one. */
    burst: BurstLabel | null;
}

/** One object of a document: the document itself, or an item of a `List` in it. */
export interface ObjectReport {
    /** Where it is in the document (`""` for the document itself). */
    pointer: string;
    /** The item indexes of the `List`s it is in, outermost first. */
    items: number[];
    kind: string | null;
    name: string | null;
    /** What happened to it: a report, or an error (the other is null). */
    report: WorkloadReport | null;
    error: WorkloadError | null;
    /** Why the whole object was left alone on purpose, if it was. */
    excluded: "excluded" | "excluded-namespace" | null;
}

/** A document that could not be read; it is passed through unchanged. */
export interface DocumentError {
    code: string;
    message: string;
    /** In UTF-16 code units of the whole manifest. */
    offset: number;
    line: number;
    column: number;
}

/** One document of a manifest. */
export interface DocumentReport {
    /** From 1, as the file's `---` sections are counted. */
    document: number;
    /** The line it starts on. */
    line: number;
    syntax: "yaml" | "json";
    error: DocumentError | null;
    objects: ObjectReport[];
    /** The document's JSON Patch, paths from its root. */
    patch: PatchOp[];
}

/** The result of `rewriteWorkload`. */
export interface WorkloadResult {
    /** The manifest with the rewritten image values changed, and nothing else. */
    output: string;
    documents: DocumentReport[];
    /** The pull secrets read from the manifest; null when `checkPulls` is false. */
    pullSecrets: PullSecrets | null;
}

/** An `AdmissionReview` response body. */
export interface AdmissionReviewResponse {
    apiVersion: string;
    kind: "AdmissionReview";
    response: {
        uid: string;
        allowed: boolean;
        patchType?: "JSONPatch";
        /** The JSON Patch, base64. */
        patch?: string;
        warnings?: string[];
    };
}

/** The result of `reviewAdmission`. */
export interface AdmissionResult {
    response: AdmissionReviewResponse;
    report: WorkloadReport | null;
    error: WorkloadError | null;
}

/** An image of a corpus and the workload it was found in (`Kind/name`), for examples. */
export interface CorpusImage {
    image: string;
    workload?: string | null;
}

/** One rule over a corpus. */
export interface RuleCoverage {
    index: number;
    repositoryPrefix: string;
    replaceWith: string;
    /** The images (occurrences) it wins. */
    wins: number;
    /** The images it matches but a longer prefix wins. */
    shadowed: number;
    /** `shadowed`: it wins nothing, a longer prefix wins each image it matches; `dead`: it matches nothing. */
    status: "wins" | "shadowed" | "dead";
    code: "shadowed-rule" | "dead-rule" | null;
    /** The rule's object in the policy's text. */
    span: Span | null;
}

/** A distinct image, how often it occurs, and example workloads. */
export interface ImageCount {
    image: string;
    count: number;
    workloads: string[];
}

/** Images no rule matches, from one registry. */
export interface RegistryGroup {
    /** The domain as written; null when the image has none (`nginx`). */
    registry: string | null;
    /** The domain as the runtime reads it (`docker.io` for `nginx`). */
    normalized: string | null;
    count: number;
    /** Every distinct image, most frequent first. */
    images: ImageCount[];
    /** Up to 3 example workloads. */
    workloads: string[];
    code: "uncovered-image";
    /** A rule whose prefix names this registry another way (the port trap); absent when none. */
    near?: NearRule;
}

/** A rule near an uncovered registry: differing only by the port, or another spelling of Docker Hub. */
export interface NearRule {
    rule: number;
    repositoryPrefix: string;
    kind: "port" | "docker-hub";
    /** What to say beside the registry (as `imgrepl coverage` says it). */
    message: string;
}

/** An image left as it is because it, or its rewrite, is invalid. */
export interface InvalidImage {
    image: string;
    count: number;
    /** `offset` counts UTF-16 code units of the image. */
    error: ImageError;
    /** The rule whose result would be invalid. */
    rule: number | null;
    workloads: string[];
}

/** An image for which the two match modes pick different rules. */
export interface Disagreement {
    image: string;
    count: number;
    longestPrefixRule: number | null;
    exactParentRule: number | null;
    workloads: string[];
    code: "modes-disagree";
}

/** The result of `coverage`. */
export interface Coverage {
    mode: MatchMode;
    /** The images of the corpus (occurrences). */
    images: number;
    distinct: number;
    rewritten: number;
    uncoveredCount: number;
    invalidCount: number;
    /** Every rule, in the policy's order. */
    rules: RuleCoverage[];
    /** By registry, largest group first. */
    uncovered: RegistryGroup[];
    invalid: InvalidImage[];
    disagreements: Disagreement[];
}

/** A rule as it stands in one of two policies; `span` in that policy's text. */
export interface RuleAt {
    index: number;
    replaceWith: string;
    span: Span;
}

/** One rule-level change, by `repositoryPrefix`. */
export interface RuleChange {
    kind: "added" | "removed" | "changed";
    repositoryPrefix: string;
    old: RuleAt | null;
    new: RuleAt | null;
}

/** What one policy does with an image. */
export interface DiffOutcome {
    /** The resulting image (the image itself when no rule matches); null on error. */
    result: string | null;
    rule: number | null;
    prefix: string | null;
    /** The image error's code. */
    error: string | null;
}

/** An image whose result, error or winning prefix changes. */
export interface ImageChange {
    image: string;
    count: number;
    old: DiffOutcome;
    new: DiffOutcome;
    /** Indexes in `PolicyDiff.rules` of the changes that cause it. */
    causes: number[];
    workloads: string[];
}

/** The counts of a `PolicyDiff`. */
export interface DiffSummary {
    added: number;
    removed: number;
    changed: number;
    unchanged: number;
    images: number;
    imagesChanged: number;
    distinctChanged: number;
}

/** The result of `diff`. */
export interface PolicyDiff {
    /** Removed and changed in the old policy's order, then added in the new one's. */
    rules: RuleChange[];
    /** In the corpus's order. */
    images: ImageChange[];
    summary: DiffSummary;
}

/** One pass of a chain: the rule that matched and its result. */
export interface ChainStep {
    rule: number;
    result: string;
}

/** An image whose first result a second pass (a reinvoked webhook) would change. */
export interface SecondPass {
    image: string;
    count: number;
    /** What the webhook writes. */
    first: string;
    /** Every pass, the first included. */
    chain: ChainStep[];
    end: "stable" | "cycle" | "invalid-result" | "limit";
    /** For `invalid-result`: `offset` counts UTF-16 code units of the chain's last result. */
    error: ImageError | null;
    workloads: string[];
    code: "second-pass-change";
}

/** What `exportPolicy` writes. */
export type ExportFormat = "mutating-admission-policy" | "cel" | "registries-conf" | "containerd-hosts";

/** The options of `exportPolicy` (for `mutating-admission-policy`). */
export interface ExportOptions {
    /** `admissionregistration.k8s.io/` version: `"v1beta1"` (the default) or `"v1"`. */
    apiVersion?: "v1beta1" | "v1";
    /** `metadata.name` of the policy and its binding (default `imgrepl`). */
    name?: string;
}

/** One file of an export: `registries.conf`, `<host>/hosts.toml`, … */
export interface ExportFile {
    path: string;
    text: string;
}

/** A rule a node format cannot express exactly, with an image whose result would differ. */
export interface Inexact {
    rule: number;
    repositoryPrefix: string;
    replaceWith: string;
    cause: "empty-prefix" | "path-prefix" | "docker-hub" | "implicit-docker-hub" | "exact-parent" | "repository-itself" | "other-rule";
    difference: string;
    image: string;
    /** What imgrepl makes of `image`, normalized. */
    imgrepl: string;
    /** What the exported file makes of it, normalized. */
    format: string;
}

/** The result of `exportPolicy`. */
export interface PolicyExport {
    files: ExportFile[];
    /** The rules not written exactly (node formats only). */
    inexact: Inexact[];
    /** Whether every rule is written exactly. */
    exact: boolean;
}



/**
 * A compiled image replacement policy.
 *
 * Build it once with `Policy.parse` and use it for many images; call `free()` when done (a
 * `FinalizationRegistry` frees forgotten ones, eventually).
 */
export class Policy {
    private constructor();
    free(): void;
    /**
     * Why the policy does what it does with `image`.
     *
     * # Errors
     *
     * Never, in practice: an `Error` with code `internal` if a value cannot be converted.
     */
    explain(image: string): Explanation;
    /**
     * Reads and validates an annotation value.
     *
     * # Errors
     *
     * An `Error` with code `invalid-policy` and a `diagnostics` array when the policy has an
     * error; code `invalid-argument` for an unknown `mode`.
     */
    static parse(text: string, options?: PolicyOptions | null): Policy;
    /**
     * Rewrites many images in one call: one row per image, in order, with the result (or the
     * image itself when it is left as it is), the rule and the error.
     *
     * # Errors
     *
     * Never, in practice: an `Error` with code `internal` if a value cannot be converted.
     */
    rewriteAll(images: string[]): BatchRow[];
    /**
     * Rewrites one image.
     *
     * # Errors
     *
     * An `Error` with the image error's `code` and `offset` (UTF-16) when the image, or the
     * result, is not a valid reference.
     */
    rewrite(image: string): Rewritten;
    /**
     * The rules as plain objects, for `JSON.stringify(policy)` (the annotation's JSON).
     *
     * # Errors
     *
     * Never, in practice.
     */
    toJSON(): Rule[];
    /**
     * The match mode.
     */
    readonly mode: MatchMode;
    /**
     * The rules, in the order given.
     *
     * # Errors
     *
     * Never, in practice.
     */
    readonly rules: Rule[];
    /**
     * The warnings found when the policy was read (spans in UTF-16 code units of its text).
     *
     * # Errors
     *
     * Never, in practice.
     */
    readonly warnings: Diagnostic[];
}

/**
 * Runs `policy` over a corpus of images: per rule the images it wins and those it matches but
 * loses to a longer prefix (`dead-rule`, `shadowed-rule`), with the rule's span in the
 * policy's text; the images no rule matches by registry, with counts and example workloads;
 * the invalid images; and where the two match modes disagree.
 *
 * `images` holds strings, or `{ image, workload }` objects (as `manifestImages` gives them).
 *
 * # Errors
 *
 * An `Error` with code `invalid-argument` when an element of `images` is neither. An invalid
 * image is not an error: it is listed in `invalid`, with its code and offset.
 */
export function coverage(policy: Policy, images: (string | CorpusImage)[]): Coverage;

/**
 * Compares two policies rule by rule (added, removed, changed, with their spans in UTF-16 code
 * units of each policy's text) and image by image over `images`: every image whose result,
 * error or winning prefix changes, and the rule changes that cause it (indexes in `rules`).
 * Each policy is applied in its own match mode.
 *
 * # Errors
 *
 * An `Error` with code `invalid-argument` when an element of `images` is neither a string nor
 * a `{ image, workload }` object.
 */
export function diff(oldPolicy: Policy, newPolicy: Policy, images: (string | CorpusImage)[]): PolicyDiff;

/**
 * Exports `policy` (in its match mode) to `to`: `"mutating-admission-policy"` (the policy and
 * its binding, one YAML file; `options.apiVersion` `"v1beta1"` or `"v1"`, `options.name`),
 * `"cel"` (the expression over a variable `image`), `"registries-conf"` or
 * `"containerd-hosts"` (a `<host>/hosts.toml` per registry). `inexact` lists every rule a node
 * format cannot express exactly, with an image whose result would differ.
 *
 * # Errors
 *
 * An `Error` with code `invalid-argument` for an unknown `to`, `apiVersion` or a `name` that is
 * not a string.
 */
export function exportPolicy(policy: Policy, to: ExportFormat, options: ExportOptions): PolicyExport;

/**
 * The container images of every workload of a manifest (YAML or JSON, one or several
 * documents), in order, each with its workload as `Kind/name`: the corpus `coverage`, `diff`
 * and `secondPass` take, as `imgrepl coverage -f` reads it. Every pod spec is read, whatever
 * policy the objects carry; documents that cannot be read give no image.
 *
 * # Errors
 *
 * An `Error` with the input's code when the manifest as a whole cannot be read (too large).
 */
export function manifestImages(text: string): CorpusImage[];

/**
 * Parses an image reference in the three views of the reference implementation: as written,
 * normalized, and as `ParseDockerRef` gives it.
 *
 * # Errors
 *
 * Never, in practice: an invalid reference is a result with `ok: false`, not an error.
 */
export function parseReference(text: string): ParsedReference;

/**
 * Answers the JSON text of an `AdmissionReview` request as a mutating webhook would.
 *
 * # Errors
 *
 * An `Error` with the admission error's code when the text is not an `AdmissionReview`
 * request; `invalid-argument` for a bad option.
 */
export function reviewAdmission(text: string, options?: AdmissionOptions | null): AdmissionResult;

/**
 * Rewrites the images of every workload in a manifest (JSON or YAML, one or several
 * documents): one report per document with its rows and its JSON Patch.
 *
 * The `kubernetes.io/dockerconfigjson` Secrets of the manifest itself are read
 * (`imgrepl_manifest::pull_secrets`), so that a rewritten image whose new registry none of its
 * pod's `imagePullSecrets` covers is reported, as `imgrepl apply` does.
 *
 * # Errors
 *
 * An `Error` with code `invalid-argument` for a bad option, or `invalid-policy` (with
 * `diagnostics`) when `options.policy` is given and invalid. A problem in one document is
 * reported in that document, not thrown.
 */
export function rewriteWorkload(text: string, options?: WorkloadOptions | null): WorkloadResult;

/**
 * The images whose result a second pass of `policy` (a reinvoked webhook,
 * `reinvocationPolicy: IfNeeded`) would change, each with its chain of rules and results and
 * how the chain ends (`stable`, `cycle`, `invalid-result`, `limit`).
 *
 * # Errors
 *
 * An `Error` with code `invalid-argument` when an element of `images` is neither a string nor
 * a `{ image, workload }` object.
 */
export function secondPass(policy: Policy, images: (string | CorpusImage)[]): SecondPass[];

/**
 * Validates an annotation value and returns every diagnostic, errors and warnings, with spans
 * in UTF-16 code units of `text`.
 *
 * # Errors
 *
 * Never, in practice: an `Error` with code `internal` if a value cannot be converted.
 */
export function validatePolicy(text: string): Validation;

/**
 * The package version (the workspace version).
 */
export function version(): string;

/**
 * `[Symbol.dispose]()`, the same as `free()` (`using policy = Policy.parse(text)` frees the
 * policy at the end of the block). It is declared where TypeScript's library declares
 * `Symbol.dispose` (`lib: ["esnext"]`, or `@types/node`); with other settings the types
 * compile without it.
 */
export type MaybeDisposable = typeof globalThis extends { Symbol: { readonly dispose: infer D extends symbol } }
    ? { [K in D]: () => void }
    : {};

export interface Policy extends MaybeDisposable {}
