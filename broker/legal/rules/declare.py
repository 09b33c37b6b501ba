"""Shorthand for declaring rules, the instrument groups they apply to, and wording they share."""

from collections.abc import Callable
from collections.abc import Iterable

from broker.legal.facts import Facts
from broker.legal.model import Check
from broker.legal.model import Confidence
from broker.legal.model import Family
from broker.legal.model import Rule
from broker.legal.model import Severity
from broker.legal.model import Stage
from broker.vocabulary import AuthorityType
from broker.vocabulary import Instrument
from broker.wire.requirements import requirement

REG = "Regulation (EU) 2023/1543"
BUDAPEST = "Budapest Convention (CETS 185)"
PROTOCOL = "Second Additional Protocol (CETS 224)"

ALL = frozenset(Instrument)
REGULATION = frozenset({Instrument.REG_2023_1543})
ART29 = frozenset({Instrument.CETS_185_ART29})
ART7 = frozenset({Instrument.CETS_224_ART7})
ART8 = frozenset({Instrument.CETS_224_ART8})
ART9 = frozenset({Instrument.CETS_224_ART9})
PROTOCOL_ARTICLES = ART7 | ART8 | ART9

FAMILY = {
    **dict.fromkeys(REGULATION, Family.REGULATION),
    **dict.fromkeys(ART29, Family.BUDAPEST),
    **dict.fromkeys(PROTOCOL_ARTICLES, Family.PROTOCOL),
}


def issuing(
    id: str,
    citation: str,
    explanation: str,
    confidence: Confidence,
    source: str,
    applies_to: frozenset[Instrument],
    severity: Severity = Severity.ERROR,
    family: Family | None = None,
    overridable: bool = False,
) -> Callable[[Check], Rule]:
    """Decorator: the check below becomes an issuing-stage Rule with this metadata."""

    def declare(check: Check) -> Rule:
        return Rule(
            id=id,
            instrument=family or FAMILY[next(iter(applies_to))],
            citation=citation,
            severity=severity,
            explanation=explanation,
            confidence=confidence,
            source=source,
            stage=Stage.ISSUING,
            applies_to=applies_to,
            check=check,
            overridable=overridable,
        )

    return declare


def how_to_fix(facts: Facts, path: str) -> str:
    """What the caseworker must do about this member, in the words the schema's refusal uses too.

    The text comes from broker.wire.requirements, so a member the schema refuses (missing, empty,
    wrongly typed) and one a rule refuses (blank, false) read the same.
    """
    owner = requirement(path, facts.instrument.value, facts.order_type.value)
    if owner is None:
        raise KeyError(f"no rule owns {path!r} under {facts.instrument.value}")
    return owner.fix


def enforced_elsewhere(
    id: str,
    citation: str,
    explanation: str,
    confidence: Confidence,
    source: str,
    applies_to: frozenset[Instrument],
    stage: Stage,
    enforced_by: str,
    severity: Severity = Severity.ERROR,
) -> Rule:
    """A rule the certificate check cannot decide: the schema, the workflow or the records enforce it."""
    return Rule(
        id=id,
        instrument=FAMILY[next(iter(applies_to))],
        citation=citation,
        severity=severity,
        explanation=explanation,
        confidence=confidence,
        source=source,
        stage=stage,
        applies_to=applies_to,
        enforced_by=enforced_by,
    )


_AUTHORITY = {
    AuthorityType.JUDGE: "judge",
    AuthorityType.COURT: "court",
    AuthorityType.INVESTIGATING_JUDGE: "investigating judge",
    AuthorityType.PUBLIC_PROSECUTOR: "public prosecutor",
    AuthorityType.OTHER_COMPETENT_AUTHORITY: "competent authority other than a judge, court or prosecutor",
}


def authority(kind: AuthorityType) -> str:
    """'a public prosecutor', 'an investigating judge': an authority type in a sentence."""
    noun = _AUTHORITY[kind]
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def one_of(kinds: Iterable[AuthorityType]) -> str:
    """'a judge, court or investigating judge': the allowed authority types in a sentence."""
    nouns = [_AUTHORITY[kind] for kind in AuthorityType if kind in set(kinds)]
    listed = ", ".join(nouns[:-1]) + f" or {nouns[-1]}" if len(nouns) > 1 else nouns[0]
    return f"{'an' if listed[0] in 'aeiou' else 'a'} {listed}"


def listing(values: Iterable[str]) -> str:
    """'en, ga': codes in a sentence, sorted so messages are stable."""
    return ", ".join(sorted(values))
