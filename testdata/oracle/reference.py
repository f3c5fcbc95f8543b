#!/usr/bin/env python3
"""A port of the reference implementation, used as a differential oracle.

Ported from the Go packages `github.com/distribution/reference` (reference.go, regexp.go,
normalize.go, helpers.go) and `github.com/opencontainers/go-digest` (digest.go, algorithm.go),
with sha256, sha384 and sha512 registered, as in the recorded sample. Python 3.11, stdlib only.

Where Go and Python differ, the port follows Go:

- Go's `\\w` and `[[:xdigit:]]` are ASCII-only: the classes are spelled out and every pattern is
  compiled with `re.ASCII`.
- Go's `$` (without the `m` flag) matches only at the very end of the text; Python's `$` also
  matches before a final `\\n`. Every anchored pattern is used with `re.fullmatch`, never `$`.
- Go's `strings.ToLower` maps each rune with `unicode.ToLower` (Unicode *simple* case mapping:
  U+0130 -> `i`, U+212A KELVIN SIGN -> `k`); Python's `str.lower()` uses the full mapping
  (U+0130 -> `i` + U+0307) and lowers a final sigma by context. `go_lower` maps char by char.
- Go's `len` counts bytes; the only lengths compared here are of ASCII strings (a regexp match),
  so `len` of a `str` is the same.
- Go's regexp and Python's `re` both pick submatches leftmost-first (Perl's choice), so the
  capture groups agree.

Modes:

    reference.py --check FILE.jsonl          compare every record with the port; exit 1 on any difference
    reference.py --generate N --seed S [-o FILE] [--any]
                                             write N deterministic records in the sample's format
    reference.py --stats FILE.jsonl          count outcomes per view and the features covered
    reference.py INPUT...                    print the records of the given inputs
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from typing import Callable, Optional

# --------------------------------------------------------------------------------------------
# go-digest
# --------------------------------------------------------------------------------------------

ERR_DIGEST_INVALID_FORMAT = "invalid checksum digest format"
ERR_DIGEST_INVALID_LENGTH = "invalid checksum digest length"
ERR_DIGEST_UNSUPPORTED = "unsupported digest algorithm"

# Registered algorithms and their hash sizes in bytes (crypto.SHA256.Size() and so on).
ALGORITHM_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}

# DigestRegexpAnchored = regexp.MustCompile(`^` + DigestRegexp.String() + `$`)
DIGEST_REGEXP_ANCHORED = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+", re.ASCII)
# anchoredEncodedRegexps: `^[a-f0-9]{N}$` with N = size * 2.
ANCHORED_ENCODED = {
    alg: re.compile("[a-f0-9]{%d}" % (size * 2), re.ASCII) for alg, size in ALGORITHM_SIZES.items()
}


class GoError(Exception):
    """An error of the reference implementation; `str()` is its message."""


def digest_validate(s: str) -> None:
    """`Digest.Validate`."""
    i = s.find(":")
    # if i <= 0 || i+1 == len(s)
    if i <= 0 or i + 1 == len(s):
        raise GoError(ERR_DIGEST_INVALID_FORMAT)
    algorithm, encoded = s[:i], s[i + 1 :]
    if algorithm not in ALGORITHM_SIZES:  # !algorithm.Available()
        if DIGEST_REGEXP_ANCHORED.fullmatch(s) is None:
            raise GoError(ERR_DIGEST_INVALID_FORMAT)
        raise GoError(ERR_DIGEST_UNSUPPORTED)
    # Algorithm.Validate(encoded)
    if ALGORITHM_SIZES[algorithm] * 2 != len(encoded):
        raise GoError(ERR_DIGEST_INVALID_LENGTH)
    if ANCHORED_ENCODED[algorithm].fullmatch(encoded) is None:
        raise GoError(ERR_DIGEST_INVALID_FORMAT)


def digest_parse(s: str) -> str:
    """`digest.Parse`."""
    digest_validate(s)
    return s


# --------------------------------------------------------------------------------------------
# Go's strings.ToLower
# --------------------------------------------------------------------------------------------


def go_lower_char(c: str) -> str:
    """`unicode.ToLower` of one rune: the simple case mapping."""
    if c < "\x80":
        return c.lower()
    if c == "\u0130":  # LATIN CAPITAL LETTER I WITH DOT ABOVE: simple lowercase is `i`
        return "i"
    low = c.lower()
    # `str.lower()` of a single char is the full mapping; it has more than one char only where
    # SpecialCasing adds one (U+0130 alone, handled above). Anything else is the simple mapping.
    return low if len(low) == 1 else c


def go_lower(s: str) -> str:
    """`strings.ToLower`: each rune through `unicode.ToLower` (no context, no final sigma)."""
    if s.isascii():
        return s.lower()
    return "".join(go_lower_char(c) for c in s)


# --------------------------------------------------------------------------------------------
# regexp.go
# --------------------------------------------------------------------------------------------

ALPHANUMERIC = r"[a-z0-9]+"
SEPARATOR = r"(?:[._]|__|[-]+)"
LOCALHOST = "localhost"
DOMAIN_NAME_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
OPTIONAL_PORT = r"(?::[0-9]+)?"
# `[\w][\w.-]{0,127}` with Go's ASCII `\w`.
TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
# `[[:xdigit:]]` is ASCII `[0-9A-Fa-f]`.
DIGEST_PAT = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}"
IDENTIFIER = r"([a-f0-9]{64})"
IPV6_ADDRESS = r"\[(?:[a-fA-F0-9:]+)\]"

DOMAIN_NAME = DOMAIN_NAME_COMPONENT + r"(?:\." + DOMAIN_NAME_COMPONENT + r")*"
HOST = "(?:" + DOMAIN_NAME + "|" + IPV6_ADDRESS + ")"
DOMAIN_AND_PORT = HOST + OPTIONAL_PORT
PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*"
REMOTE_NAME = PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*"
NAME_PAT = "(?:" + DOMAIN_AND_PORT + "/)?" + REMOTE_NAME

# All anchored patterns: use with fullmatch (Go's `^...$`).
ANCHORED_TAG_REGEXP = re.compile(TAG, re.ASCII)
ANCHORED_DIGEST_REGEXP = re.compile(DIGEST_PAT, re.ASCII)
ANCHORED_NAME_REGEXP = re.compile(
    "(?:(" + DOMAIN_AND_PORT + ")/)?(" + REMOTE_NAME + ")", re.ASCII
)
REFERENCE_REGEXP = re.compile(
    "(" + NAME_PAT + ")(?::(" + TAG + "))?(?:@(" + DIGEST_PAT + "))?", re.ASCII
)
ANCHORED_IDENTIFIER_REGEXP = re.compile(IDENTIFIER, re.ASCII)

# --------------------------------------------------------------------------------------------
# reference.go
# --------------------------------------------------------------------------------------------

NAME_TOTAL_LENGTH_MAX = 255
ERR_REFERENCE_INVALID_FORMAT = "invalid reference format"
ERR_NAME_CONTAINS_UPPERCASE = "repository name must be lowercase"
ERR_NAME_EMPTY = "repository name must have at least one component"
ERR_NAME_TOO_LONG = "repository name must not be more than %d characters" % NAME_TOTAL_LENGTH_MAX


@dataclass(frozen=True)
class Ref:
    """A parsed reference: the fields of `reference` (an empty string where absent)."""

    domain: str
    path: str
    tag: str
    digest: str

    def name(self) -> str:
        """`repository.Name()`."""
        return self.domain + "/" + self.path if self.domain else self.path

    def string(self) -> str:
        """`reference.String()` (and that of the narrower types getBestReferenceType picks)."""
        s = self.name()
        if self.tag:
            s += ":" + self.tag
        if self.digest:
            s += "@" + self.digest
        return s


def parse(s: str) -> Ref:
    """`Parse`."""
    matches = REFERENCE_REGEXP.fullmatch(s)
    if matches is None:
        if s == "":
            raise GoError(ERR_NAME_EMPTY)
        if REFERENCE_REGEXP.fullmatch(go_lower(s)) is not None:
            raise GoError(ERR_NAME_CONTAINS_UPPERCASE)
        raise GoError(ERR_REFERENCE_INVALID_FORMAT)
    name = matches.group(1)
    name_match = ANCHORED_NAME_REGEXP.fullmatch(name)
    if name_match is not None:  # len(nameMatch) == 3
        domain, path = name_match.group(1) or "", name_match.group(2)
    else:
        domain, path = "", name
    if len(path) > NAME_TOTAL_LENGTH_MAX:
        raise GoError(ERR_NAME_TOO_LONG)
    digest = matches.group(3) or ""
    if digest != "":
        digest_parse(digest)
    # getBestReferenceType: the name is never empty after a match, so never nil.
    return Ref(domain, path, matches.group(2) or "", digest)


# --------------------------------------------------------------------------------------------
# normalize.go and helpers.go
# --------------------------------------------------------------------------------------------

LEGACY_DEFAULT_DOMAIN = "index.docker.io"
DEFAULT_DOMAIN = "docker.io"
OFFICIAL_REPO_PREFIX = "library/"
DEFAULT_TAG = "latest"


def split_docker_domain(name: str) -> tuple[str, str]:
    """`splitDockerDomain`."""
    i = name.find("/")
    if i == -1 or (
        not any(c in ".:" for c in name[:i])
        and name[:i] != LOCALHOST
        and go_lower(name[:i]) == name[:i]
    ):
        domain, remainder = DEFAULT_DOMAIN, name
    else:
        domain, remainder = name[:i], name[i + 1 :]
    if domain == LEGACY_DEFAULT_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in remainder:
        remainder = OFFICIAL_REPO_PREFIX + remainder
    return domain, remainder


def parse_normalized_named(s: str) -> Ref:
    """`ParseNormalizedNamed`."""
    if ANCHORED_IDENTIFIER_REGEXP.fullmatch(s) is not None:
        raise GoError(
            "invalid repository name (%s), cannot specify 64-byte hexadecimal strings" % s
        )
    domain, remainder = split_docker_domain(s)
    tag_sep = remainder.find(":")
    remote = remainder[:tag_sep] if tag_sep > -1 else remainder
    if go_lower(remote) != remote:
        raise GoError(
            "invalid reference format: repository name (%s) must be lowercase" % remote
        )
    # Parse always gives a Named here: its name is never empty.
    return parse(domain + "/" + remainder)


def familiarize_name(domain: str, path: str) -> tuple[str, str]:
    """`familiarizeName`."""
    if domain == DEFAULT_DOMAIN:
        domain = ""
        if path.startswith(OFFICIAL_REPO_PREFIX):
            remainder = path[len(OFFICIAL_REPO_PREFIX) :]
            if "/" not in remainder:
                path = remainder
    return domain, path


def familiar(r: Ref) -> Ref:
    """`Familiar()` of a normalized reference."""
    domain, path = familiarize_name(r.domain, r.path)
    return Ref(domain, path, r.tag, r.digest)


def parse_docker_ref(s: str) -> Ref:
    """`ParseDockerRef`."""
    named = parse_normalized_named(s)
    if named.digest:
        # Canonical: WithName(Name()) then WithDigest; the tag is dropped.
        return Ref(named.domain, named.path, "", named.digest)
    if not named.tag:
        # TagNameOnly
        return Ref(named.domain, named.path, DEFAULT_TAG, "")
    return named


def parse_any_reference(s: str) -> str:
    """`ParseAnyReference`, as its `String()`."""
    if ANCHORED_IDENTIFIER_REGEXP.fullmatch(s) is not None:
        return "sha256:" + s
    try:
        return digest_parse(s)
    except GoError:
        pass
    return parse_normalized_named(s).string()


# --------------------------------------------------------------------------------------------
# Records (the format of testdata/reference-sample.jsonl)
# --------------------------------------------------------------------------------------------

VIEWS = ("parse", "normalized", "docker_ref", "any")


def _failed(fields: tuple[str, ...], err: GoError) -> dict:
    out: dict = {"ok": False, "error": str(err), "string": ""}
    for f in fields:
        out[f] = None
    return out


def _ref_fields(r: Ref) -> dict:
    return {
        "ok": True,
        "error": "",
        "string": r.string(),
        "name": r.name(),
        "domain": r.domain,
        "path": r.path,
        "tag": r.tag or None,
        "digest": r.digest or None,
    }


PARSE_FIELDS = ("name", "domain", "path", "tag", "digest")
NORMALIZED_FIELDS = PARSE_FIELDS + ("familiar", "familiar_name")


def record(s: str, with_any: bool = True) -> dict:
    """The record of one input, in the sample's format."""
    rec: dict = {"input": s}
    try:
        rec["parse"] = _ref_fields(parse(s))
    except GoError as e:
        rec["parse"] = _failed(PARSE_FIELDS, e)
    try:
        n = parse_normalized_named(s)
        fields = _ref_fields(n)
        fam = familiar(n)
        fields["familiar"] = fam.string()
        fields["familiar_name"] = fam.name()
        rec["normalized"] = fields
    except GoError as e:
        rec["normalized"] = _failed(NORMALIZED_FIELDS, e)
    try:
        rec["docker_ref"] = {"ok": True, "error": "", "string": parse_docker_ref(s).string()}
    except GoError as e:
        rec["docker_ref"] = _failed((), e)
    if with_any:
        try:
            rec["any"] = {"ok": True, "error": "", "string": parse_any_reference(s)}
        except GoError as e:
            rec["any"] = _failed((), e)
    return rec


def dumps(rec: dict) -> str:
    """One JSON line; U+2028 and U+2029 escaped (as Go does), so that no tool splits the line."""
    text = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def check(path: str) -> int:
    """Compares every record of `path` with the port, view by view and field by field."""
    differences = 0
    count = 0
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            want = json.loads(line)
            count += 1
            got = record(want["input"], with_any="any" in want)
            for view in VIEWS:
                if view not in want:
                    continue
                if want[view] != got[view]:
                    differences += 1
                    print(
                        "line %d %s %s:\n  want %s\n  got  %s"
                        % (lineno, json.dumps(want["input"]), view, dumps(want[view]), dumps(got[view]))
                    )
    print("%d records, %d differences" % (count, differences))
    return 1 if differences else 0


# --------------------------------------------------------------------------------------------
# The corpus generator
# --------------------------------------------------------------------------------------------

HEX = "0123456789abcdef"
LOWER = "abcdefghijklmnopqrstuvwxyz"
UPPER = LOWER.upper()
DIGITS = "0123456789"
LOWER_ALNUM = LOWER + DIGITS
WORD = LOWER + UPPER + DIGITS + "_"
# Non-ASCII characters whose case mappings are the same in every Unicode version since 6.0, so
# that Go, Python and Rust agree on them: KELVIN SIGN and U+0130 lowercase to ASCII; the others
# lowercase to non-ASCII, are already lowercase, or have no case.
NON_ASCII = [
    "\u212a",  # KELVIN SIGN -> k
    "\u0130",  # LATIN CAPITAL LETTER I WITH DOT ABOVE -> i (simple mapping)
    "\u212b",  # ANGSTROM SIGN -> U+00E5
    "\u00e9",  # e acute
    "\u00c9",  # E acute -> e acute
    "\u00df",  # sharp s (lowercase; full uppercase "SS")
    "\u0131",  # dotless i (lowercase)
    "\u017f",  # long s (lowercase; uppercase S)
    "\u03a3",  # capital sigma (Python's str.lower() would give a final sigma in context)
    "\u01c5",  # Dz with caron (titlecase)
    "\uff2b",  # fullwidth K -> fullwidth k
    "\u4e2d",  # CJK, no case
    "\U0001f600",  # emoji
    "\u00a0",  # no-break space
    "\u2028",  # line separator
    "\u200b",  # zero width space
    "\ufeff",  # byte order mark
    "\u0660",  # Arabic-Indic digit zero (a digit outside ASCII)
]
PUNCT = "/:@._-[]"
OTHER = "+=%#!~*?,;&$'\"\\()<>{}|^`"
WHITESPACE = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x00"]

REAL_WORLD = [
    "nginx",
    "nginx:latest",
    "nginx:1.27.0-alpine",
    "library/nginx",
    "docker.io/library/nginx:1.25",
    "docker.io/nginx",
    "index.docker.io/library/busybox:1.36",
    "index.docker.io/bitnami/redis:7.2",
    "ubuntu:22.04",
    "debian:bookworm-slim",
    "alpine@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b",
    "busybox:1.36@sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7",
    "gcr.io/google-containers/pause:3.9",
    "gcr.io/distroless/static-debian12:nonroot",
    "registry.k8s.io/kube-apiserver:v1.29.0",
    "registry.k8s.io/coredns/coredns:v1.11.1",
    "quay.io/prometheus/node-exporter:v1.7.0",
    "quay.io/jetstack/cert-manager-controller:v1.14.2",
    "ghcr.io/owner/repo:main",
    "ghcr.io/fluxcd/source-controller@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "mcr.microsoft.com/dotnet/sdk:8.0",
    "public.ecr.aws/lambda/python:3.12",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.0.0",
    "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest",
    "harbor.domain/ubuntu:latest",
    "harbor.domain/a/b/c/d/redis:latest",
    "localhost/app",
    "localhost:5000/app:dev",
    "localhost:5000/team/app@sha512:"
    + "0123456789abcdef" * 8,
    "127.0.0.1:5000/foo/bar:tag",
    "[::1]:5000/foo/bar:tag",
    "[2001:db8::1]/library/alpine",
    "[fe80::1%eth0]:5000/x",
    "registry:5000/team/app",
    "my-registry.local:443/a_b/c__d/e---f:v1",
    "docker/docker",
    "bitnami/postgresql:16.2.0-debian-12-r6",
    "grafana/grafana-oss:10.3.3",
    "k8s.gcr.io/ingress-nginx/controller:v1.9.6@sha256:1405cc613bd95b2c6edd8b2a152510ae91c7e62aea4698500d23b2145960ab9c",
    "nvcr.io/nvidia/pytorch:24.01-py3",
    "foo_bar/baz",
    "a_b.c/app",
    "sub-dom1.foo.com/bar/baz/quux",
    "docker.io/x",
    "x",
    "xn--bcher-kva.example/app",
    "example.com:65536/app",
    "example.com:0/app",
    "1.2.3.4/app",
    "Docker.io/app",
    "LOCALHOST/app",
    "Localhost:5000/app",
    "registry.example.com/a/b@sha384:" + "0123456789abcdef" * 6,
    "app@sha256:" + "a" * 64,
    "sha256:" + "a" * 64,
    "a" * 64,
]


def digest_hex(rng: random.Random, n: int, alphabet: str = HEX) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


class Gen:
    """Deterministic random inputs near the grammar."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    # -- grammar pieces ------------------------------------------------------------------

    def alnum(self, lo: int = 1, hi: int = 5) -> str:
        r = self.rng
        return "".join(r.choice(LOWER_ALNUM) for _ in range(r.randint(lo, hi)))

    def separator(self) -> str:
        r = self.rng
        return r.choice([".", "_", "__", "-", "-", "--", "---", "-" * r.randint(4, 9)])

    def path_component(self, max_parts: int = 2) -> str:
        r = self.rng
        s = self.alnum()
        for _ in range(r.choice([0, 0, 0, 1, 1, max_parts])):
            s += self.separator() + self.alnum()
        return s

    def path(self, max_components: int = 4) -> str:
        r = self.rng
        n = r.choice([1, 1, 2, 2, 2, 3, max_components])
        return "/".join(self.path_component() for _ in range(n))

    def label(self) -> str:
        r = self.rng
        alpha = LOWER_ALNUM + (UPPER if r.random() < 0.3 else "")
        n = r.randint(1, 7)
        if n == 1:
            return r.choice(alpha)
        mid = "".join(r.choice(alpha + "-") for _ in range(n - 2))
        return r.choice(alpha) + mid + r.choice(alpha)

    def ipv6(self) -> str:
        r = self.rng
        return "[" + r.choice(
            [
                "::1",
                "::",
                "2001:db8::1",
                "fe80::1",
                "2001:DB8:0:0:0:0:0:1",
                "1:2:3:4:5:6:7:8",
                "abcd",
                ":",
                "".join(r.choice(HEX + "ABCDEF:") for _ in range(r.randint(1, 40))),
            ]
        ) + "]"

    def port(self) -> str:
        r = self.rng
        return ":" + r.choice(["0", "1", "80", "443", "5000", "65535", "65536", "99999999999", "007"])

    def domain(self) -> str:
        r = self.rng
        k = r.random()
        if k < 0.12:
            host = self.ipv6()
        elif k < 0.2:
            host = r.choice(["localhost", "docker.io", "index.docker.io", "LOCALHOST", "Docker.io"])
        elif k < 0.3:
            host = ".".join(str(r.randint(0, 300)) for _ in range(4))
        else:
            host = ".".join(self.label() for _ in range(r.choice([1, 1, 2, 2, 3, 4])))
        if r.random() < 0.35:
            host += self.port()
        return host

    def tag(self) -> str:
        r = self.rng
        if r.random() < 0.03:
            n = r.choice([127, 128, 129])
        else:
            n = r.choice([1, 1, 2, 3, 3, 4, 5, 6, 8, 12])
        first = r.choice(WORD)
        return first + "".join(r.choice(WORD + ".-") for _ in range(n - 1))

    def digest(self) -> str:
        r = self.rng
        k = r.random()
        if k < 0.6:
            alg = r.choice(["sha256", "sha256", "sha384", "sha512"])
            size = ALGORITHM_SIZES[alg] * 2
            n = r.choice([size, size, size, size - 1, size + 1, 32, 31, 64, 96, 128])
        elif k < 0.75:
            alg = r.choice(["SHA256", "Sha256", "sha256+b64u", "md5", "blake3", "sha3-256", "a", "a.b_c-d+e", "sha256_x", "x9", "sha-512"])
            n = r.choice([31, 32, 33, 64, 96, 128])
        else:
            alg = self.rng.choice(LOWER + UPPER) + "".join(
                r.choice(LOWER + UPPER + DIGITS) for _ in range(r.randint(0, 6))
            )
            n = r.choice([31, 32, 64, 65, 128])
        alphabet = HEX
        if r.random() < 0.15:
            alphabet = HEX + "ABCDEF"
        return alg + ":" + digest_hex(r, n, alphabet)

    def valid(self) -> str:
        """A reference that matches the grammar (limits and digest checks aside)."""
        r = self.rng
        s = ""
        if r.random() < 0.6:
            s = self.domain() + "/"
        s += self.path()
        if r.random() < 0.5:
            s += ":" + self.tag()
        if r.random() < 0.15:
            s += "@" + self.digest()
        return s

    # -- mutations ------------------------------------------------------------------------

    def mutation_char(self) -> str:
        r = self.rng
        k = r.random()
        if k < 0.25:
            return r.choice(PUNCT)
        if k < 0.45:
            return r.choice(LOWER_ALNUM)
        if k < 0.6:
            return r.choice(UPPER)
        if k < 0.72:
            return r.choice(NON_ASCII)
        if k < 0.85:
            return r.choice(WHITESPACE)
        return r.choice(OTHER)

    def mutate(self, s: str) -> str:
        r = self.rng
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            op = r.random()
            i = r.randint(0, len(s))
            if op < 0.4 or not s:
                s = s[:i] + self.mutation_char() + s[i:]
            elif op < 0.65:
                j = min(len(s), i + r.choice([1, 1, 1, 2, 5]))
                s = s[:i] + s[j:]
            elif op < 0.9:
                i = min(i, len(s) - 1)
                s = s[:i] + self.mutation_char() + s[i + 1 :]
            else:
                # duplicate a slice
                j = r.randint(i, len(s))
                s = s[:j] + s[i:j] + s[j:]
        return s

    def case_mutate(self, s: str) -> str:
        """Uppercase a letter, a component, or swap in KELVIN SIGN / U+0130."""
        r = self.rng
        letters = [i for i, c in enumerate(s) if c.isascii() and c.isalpha()]
        if not letters:
            return s.upper()
        k = r.random()
        if k < 0.5:
            i = r.choice(letters)
            return s[:i] + s[i].swapcase() + s[i + 1 :]
        if k < 0.7:
            parts = s.split("/")
            j = r.randrange(len(parts))
            parts[j] = parts[j].upper()
            return "/".join(parts)
        if k < 0.85:
            i = r.choice(letters)
            return s[:i] + r.choice(["\u212a", "\u0130"]) + s[i + 1 :]
        ks = [i for i, c in enumerate(s) if c in "ki"]
        if not ks:
            return s.upper()
        i = r.choice(ks)
        return s[:i] + ("\u212a" if s[i] == "k" else "\u0130") + s[i + 1 :]

    # -- families at the limits -----------------------------------------------------------

    def long_path(self) -> str:
        """Paths around 255 bytes, with and without a domain, and names that normalize longer."""
        r = self.rng
        target = r.choice([253, 254, 255, 256, 257, 247, 248, 249, 246, 250])
        ncomp = r.choice([1, 1, 2, 3, 8])
        parts = []
        remaining = target - (ncomp - 1)
        for i in range(ncomp):
            left = ncomp - i
            n = remaining // left if i < ncomp - 1 else remaining
            n = max(n, 1)
            remaining -= n
            comp = self.alnum(n, n)
            if n > 3 and r.random() < 0.3:
                j = r.randint(1, n - 2)
                comp = comp[:j] + r.choice("._-") + comp[j + 1 :]
            parts.append(comp)
        p = "/".join(parts)
        prefix = r.choice(
            ["", "", "", "docker.io/", "index.docker.io/", "localhost/", "registry:5000/", "a.b/", "[::1]/",
             "library/", "x/", "Upper/", "docker.io/library/"]
        )
        s = prefix + p
        k = r.random()
        if k < 0.3:
            s += ":" + self.tag()
        elif k < 0.45:
            s += "@" + self.digest()
        if r.random() < 0.2:
            s = self.mutate(s)
        return s

    def tag_limit(self) -> str:
        r = self.rng
        n = r.choice([126, 127, 128, 129, 130, 1, 200])
        t = r.choice(WORD) + "".join(r.choice(WORD + ".-") for _ in range(n - 1))
        s = r.choice(["nginx", "a/b", "localhost:5000/x", "x.io/y"]) + ":" + t
        if r.random() < 0.3:
            s += "@" + self.digest()
        return s

    def digest_family(self) -> str:
        r = self.rng
        alg = r.choice(
            ["sha256", "sha384", "sha512", "SHA256", "sha256", "Sha512", "md5", "sha1", "sha3", "blake2b",
             "multihash+base58", "a", "z9", "sha256.x", "sha256-", "1sha", "sha_256", "sha+256", "SHA384", "", "sha256:"]
        )
        size = ALGORITHM_SIZES.get(alg.lower(), 32) * 2
        n = r.choice([size - 1, size, size + 1, 31, 32, 33, 64, 96, 128, 0, 1, 63, 65, 95, 97, 127, 129])
        alphabet = r.choice([HEX, HEX, HEX + "ABCDEF", "ABCDEF0123456789", HEX + "g", HEX + "=_-"])
        body = alg + ":" + digest_hex(r, n, alphabet)
        if r.random() < 0.15 and n > 0:
            i = r.randrange(len(body))
            body = body[:i] + r.choice("gGxX:@_-=.+ \n") + body[i + 1 :]
        k = r.random()
        if k < 0.7:
            name = r.choice(["nginx", "a/b", "localhost:5000/x", "x.io/y", "nginx:1", "docker.io/library/a:t"])
            return name + "@" + body
        if k < 0.85:
            return body  # ParseAnyReference's digest branch, and invalid as a name
        return r.choice(["nginx@", "nginx@@", "a@b@"]) + body

    def hex_name(self) -> str:
        r = self.rng
        n = r.choice([63, 64, 64, 64, 65])
        h = digest_hex(r, n, r.choice([HEX, HEX, HEX + "ABCDEF"]))
        return r.choice(
            [h, h, h + ":latest", "library/" + h, "docker.io/" + h, h + "\n", h + "@sha256:" + "a" * 64, "x/" + h, h.upper()]
        )

    def normalization(self) -> str:
        r = self.rng
        first = r.choice(
            ["docker.io", "index.docker.io", "localhost", "LOCALHOST", "Localhost", "localhost:5000", "library",
             "docker", "foo", "Foo", "FOO", "a.b", "a_b.c", "a_b", "a:b", "a-b", "x", "xn--a", "[::1]", "[::1]:80",
             "docker.io:443", "index.docker.io:443", "Index.docker.io", "DOCKER.IO", "\u212aube", "docker.\u0130o",
             "a..b", ".", ":", "a.", "-a.b", "a_b:5000", "127.0.0.1", "registry-1.docker.io"]
        )
        rest = r.choice(
            ["", "nginx", "library/nginx", "a/b", "x", "library", "library/a/b", "Nginx", "nginx:TAG", "nginx:tag",
             "nginx@sha256:" + "b" * 64, "nginx:t@sha256:" + "c" * 64, "a" * 64, "A", "x:" + "y" * 5, "a/B:c"]
        )
        s = first + "/" + rest if r.random() < 0.9 else first
        if r.random() < 0.3:
            s += ":" + self.tag()
        return s

    def hand_shaped(self) -> str:
        """Separators, components and empty pieces."""
        r = self.rng
        comp = r.choice(
            ["a.b", "a_b", "a__b", "a___b", "a-b", "a--b", "a---b", "a.-b", "a-.b", "a._b", "a_.b", "a..b",
             "a__-b", "a-_b", ".a", "a.", "_a", "a_", "-a", "a-", "__a", "a__", "a/b", "a//b", "/a", "a/",
             "", "a", "0", "a.b.c", "a_b_c", "a-b-c", "a.b_c-d__e---f"]
        )
        pre = r.choice(["", "", "x/", "reg.io/", "localhost/", "docker.io/", "[::1]/", "A.b/", "a:1/"])
        post = r.choice(["", "", ":t", "@sha256:" + "d" * 64, ":", "@", ":t@", "/"])
        return pre + comp + post

    def one(self) -> str:
        r = self.rng
        k = r.random()
        if k < 0.22:
            return self.valid()
        if k < 0.45:
            base = r.choice(REAL_WORLD) if r.random() < 0.5 else self.valid()
            return self.mutate(base)
        if k < 0.56:
            base = r.choice(REAL_WORLD) if r.random() < 0.5 else self.valid()
            return self.case_mutate(base)
        if k < 0.585:
            return self.long_path()
        if k < 0.605:
            return self.tag_limit()
        if k < 0.7:
            return self.digest_family()
        if k < 0.73:
            return self.hex_name()
        if k < 0.85:
            return self.normalization()
        return self.hand_shaped()


def fixed_inputs() -> list[str]:
    """Hand-picked inputs, always in the corpus: every limit on both sides."""
    out: list[str] = ["", " ", "\n", "/", ":", "@", "a", "A", "a\n", "a ", " a", "a:b\n", "a\r\n"]
    out += REAL_WORLD
    a = "a"
    for n in (253, 254, 255, 256, 257):
        p = a * n
        out += [p, "x.io/" + p, "localhost:5000/" + p, p + ":tag", "[::1]/" + p]
        # a path of n bytes in two components
        q = a * (n // 2) + "/" + a * (n - n // 2 - 1)
        out += [q, "docker.io/" + q, "index.docker.io/" + q, q + "@sha256:" + "e" * 64]
        out += [("a" * 250 + "/" + "b" * 250)[: n + 20] + ":t"]
    for n in (246, 247, 248, 249):
        p = a * n
        # single components: the normalized path grows by `library/`
        out += [p, "docker.io/" + p, "index.docker.io/" + p, p + ":t", "library/" + p]
    for n in (126, 127, 128, 129):
        t = "t" * n
        out += ["nginx:" + t, "nginx:_" + t[1:], "nginx:" + t + "@sha256:" + "f" * 64]
    for alg, size in ALGORITHM_SIZES.items():
        for n in (size * 2 - 1, size * 2, size * 2 + 1, 31, 32):
            out += ["nginx@" + alg + ":" + "0" * n, "nginx@" + alg + ":" + "A" * n]
        out += ["nginx@" + alg.upper() + ":" + "0" * size * 2]
        out += ["nginx@" + alg + ":" + "0" * (size * 2 - 1) + "G"]
    out += ["nginx@md5:" + "0" * 32, "nginx@md5:" + "0" * 31, "nginx@Md5:" + "0" * 32]
    h = "0123456789abcdef" * 4
    out += [h, h + ":t", h.upper(), h[:-1], h + "0", "library/" + h, h + "\n", "sha256:" + h]
    return out


def generate(n: int, seed: int, with_any: bool) -> list[str]:
    gen = Gen(seed)
    seen: set[str] = set()
    lines: list[str] = []

    def add(s: str) -> None:
        if s in seen:
            return
        seen.add(s)
        lines.append(dumps(record(s, with_any)))

    for s in fixed_inputs():
        add(s)
    guard = 0
    while len(lines) < n and guard < n * 50:
        guard += 1
        add(gen.one())
    return lines[:n]


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------


def kind(message: str) -> str:
    """The kind code of a message (docs/DESIGN.md §1.4)."""
    if message == "":
        return "ok"
    if message.startswith("invalid reference format: repository name ("):
        return "uppercase"
    if message.startswith("invalid repository name ("):
        return "hex-name"
    return {
        ERR_NAME_EMPTY: "empty",
        ERR_REFERENCE_INVALID_FORMAT: "invalid-format",
        ERR_NAME_CONTAINS_UPPERCASE: "uppercase",
        ERR_NAME_TOO_LONG: "name-too-long",
        ERR_DIGEST_UNSUPPORTED: "digest-unsupported",
        ERR_DIGEST_INVALID_LENGTH: "digest-length",
        ERR_DIGEST_INVALID_FORMAT: "digest-format",
    }[message]


FEATURES: list[tuple[str, Callable[[dict], bool]]] = [
    ("parse ok with domain", lambda r: r["parse"]["ok"] and r["parse"]["domain"] != ""),
    ("parse ok without domain", lambda r: r["parse"]["ok"] and r["parse"]["domain"] == ""),
    ("parse ok ipv6 domain", lambda r: r["parse"]["ok"] and r["parse"]["domain"].startswith("[")),
    ("parse ok domain with port", lambda r: r["parse"]["ok"] and re.search(r":[0-9]+$", r["parse"]["domain"]) is not None),
    ("parse ok uppercase domain", lambda r: r["parse"]["ok"] and r["parse"]["domain"] != r["parse"]["domain"].lower()),
    ("parse ok path 255", lambda r: r["parse"]["ok"] and len(r["parse"]["path"]) == 255),
    ("parse ok path 254", lambda r: r["parse"]["ok"] and len(r["parse"]["path"]) == 254),
    ("parse ok name > 255 (domain not counted)", lambda r: r["parse"]["ok"] and len(r["parse"]["name"]) > 255),
    ("parse ok tag 128", lambda r: r["parse"]["ok"] and len(r["parse"]["tag"] or "") == 128),
    ("parse ok tag 127", lambda r: r["parse"]["ok"] and len(r["parse"]["tag"] or "") == 127),
    ("parse ok tag and digest", lambda r: r["parse"]["ok"] and r["parse"]["tag"] and r["parse"]["digest"]),
    ("parse ok sha256", lambda r: r["parse"]["ok"] and (r["parse"]["digest"] or "").startswith("sha256:")),
    ("parse ok sha384", lambda r: r["parse"]["ok"] and (r["parse"]["digest"] or "").startswith("sha384:")),
    ("parse ok sha512", lambda r: r["parse"]["ok"] and (r["parse"]["digest"] or "").startswith("sha512:")),
    ("parse ok separator __", lambda r: r["parse"]["ok"] and "__" in r["parse"]["path"]),
    ("parse ok separator ---", lambda r: r["parse"]["ok"] and "---" in r["parse"]["path"]),
    ("normalized ok path 255", lambda r: r["normalized"]["ok"] and len(r["normalized"]["path"]) == 255),
    ("normalized ok no domain", lambda r: r["normalized"]["ok"] and r["normalized"]["domain"] == ""),
    ("normalized ok localhost", lambda r: r["normalized"]["ok"] and r["normalized"]["domain"] == "localhost"),
    ("normalized ok familiar differs", lambda r: r["normalized"]["ok"] and r["normalized"]["familiar"] != r["normalized"]["string"]),
    ("parse ok, normalized name-too-long", lambda r: r["parse"]["ok"] and kind(r["normalized"]["error"]) == "name-too-long"),
    ("parse ok, normalized error", lambda r: r["parse"]["ok"] and not r["normalized"]["ok"]),
    ("parse error, normalized ok", lambda r: not r["parse"]["ok"] and r["normalized"]["ok"]),
    ("parse and normalized kinds differ", lambda r: kind(r["parse"]["error"]) != kind(r["normalized"]["error"])),
    ("non-ASCII input", lambda r: not r["input"].isascii()),
    ("uppercase via KELVIN SIGN or U+0130", lambda r: ("\u212a" in r["input"] or "\u0130" in r["input"]) and kind(r["parse"]["error"]) == "uppercase"),
    ("trailing newline", lambda r: r["input"].endswith("\n")),
]


def stats(path: str) -> int:
    counts: dict[tuple[str, str], int] = {}
    features = {name: 0 for name, _ in FEATURES}
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            n += 1
            for view in ("parse", "normalized", "docker_ref"):
                key = (view, kind(rec[view]["error"]))
                counts[key] = counts.get(key, 0) + 1
            for name, pred in FEATURES:
                if pred(rec):
                    features[name] += 1
    print("%d records" % n)
    for (view, k), c in sorted(counts.items()):
        print("  %-10s %-20s %6d" % (view, k, c))
    for name, c in features.items():
        print("  %-45s %6d" % (name, c))
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", metavar="FILE")
    ap.add_argument("--generate", type=int, metavar="N")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--any", action="store_true", help="also record ParseAnyReference (`any`)")
    ap.add_argument("-o", "--output", metavar="FILE")
    ap.add_argument("--stats", metavar="FILE")
    ap.add_argument("inputs", nargs="*")
    args = ap.parse_args(argv)
    if args.check:
        return check(args.check)
    if args.stats:
        return stats(args.stats)
    if args.generate is not None:
        lines = generate(args.generate, args.seed, args.any)
        text = "".join(line + "\n" for line in lines)
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
        return 0
    for s in args.inputs:
        print(dumps(record(s)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
