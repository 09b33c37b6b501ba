"""The substantive conditions for issuing: offence, sentence, necessity and proportionality (Art. 5, 6)."""

import difflib
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

from broker.legal.facts import Facts
from broker.legal.facts import blank
from broker.legal.model import Confidence
from broker.legal.model import Issue
from broker.legal.reference import ReferenceData
from broker.legal.rules.declare import REG
from broker.legal.rules.declare import REGULATION
from broker.legal.rules.declare import how_to_fix
from broker.legal.rules.declare import issuing
from broker.vocabulary import Purpose

THREE_YEARS = 36  # months: Art. 5(4)(a)
FOUR_MONTHS = 4  # Art. 5(3)


@issuing(
    "EE-09",
    f"{REG}, Art. 5(4)",
    "An EPOC for traffic or content data is allowed only for offences punishable by a maximum custodial "
    "sentence of at least 3 years, or for the offences listed in Art. 5(4)(b)-(c) (point (b) only when "
    "committed by means of an information system).",
    Confidence.UNCONFIRMED,
    "legal-rules.md §1.4 (3-year threshold [V] E19, E11; directive list UNCONFIRMED); "
    "reference/art-5-4-offences.json",
    REGULATION,
)
def ee09(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if not (facts.production and facts.intrusive):
        return
    months = facts.offence["maximum_penalty_months"]
    if months is not None and months >= THREE_YEARS:
        return
    listed = facts.offence.get("listed_offence")
    if listed is not None:
        yield from _listed_offence(listed, reference)
        return
    penalty = "has no maximum custodial sentence" if months is None else f"carries at most {months} months"
    yield Issue(
        "Traffic and content data may be ordered only for offences punishable by a maximum custodial "
        "sentence of at least 3 years or for the offences listed in Art. 5(4)(b)-(c); this offence "
        f"{penalty}: ask only for subscriber data or IP identification, or name the listed offence "
        "(offence.listed_offence).",
        ("offence.maximum_penalty_months", "offence.listed_offence"),
    )


def _listed_offence(listed: Mapping[str, Any], reference: ReferenceData) -> Iterator[Issue]:
    """The issues with an offence given as a directive article under Art. 5(4)(b)-(c)."""
    entry = reference.listed_offences.get(listed["directive"])
    if entry is None:
        known = ", ".join(sorted(reference.listed_offences))
        yield Issue(
            f"Directive {listed['directive']} is not listed in Art. 5(4)(b)-(c) (listed: {known}) and the "
            "offence does not meet the 3-year threshold: ask only for subscriber data or IP identification.",
            ("offence.listed_offence.directive",),
        )
    elif listed["article"] not in entry.articles:
        yield Issue(
            f"Article {listed['article']} of {entry.title} is not listed in Art. 5(4); only Articles "
            f"{_articles(entry.articles)} are: correct the article or ask only for subscriber data or IP "
            "identification.",
            ("offence.listed_offence.article",),
        )
    elif entry.by_information_system_required and listed.get("by_information_system") is None:
        yield Issue(
            f"Needs data: offences under Directive {entry.directive} count for Art. 5(4)(b) only if "
            "committed wholly or partly by means of an information system: state whether this one was "
            "(offence.listed_offence.by_information_system).",
            ("offence.listed_offence.by_information_system",),
            missing_data=True,
        )
    elif entry.by_information_system_required and not listed["by_information_system"]:
        yield Issue(
            f"Offences under Directive {entry.directive} allow traffic or content data only when committed "
            "wholly or partly by means of an information system (Art. 5(4)(b)), and this one was not: ask "
            "only for subscriber data or IP identification.",
            ("offence.listed_offence.by_information_system",),
        )


def _articles(articles: Iterable[int]) -> str:
    """'3 to 12 and 14': article numbers as the Regulation writes them."""
    runs: list[list[int]] = []
    for number in sorted(articles):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [f"{run[0]} to {run[-1]}" if len(run) > 1 else str(run[0]) for run in runs]
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]


def _sentence_issues(facts: Facts, article: str) -> Iterator[Issue]:
    """Execution of a sentence: at least 4 months, not rendered in absentia, the convict absconded."""
    sentence = facts.sentence
    if facts.get("purpose") != Purpose.SENTENCE_EXECUTION or sentence is None:
        return
    if sentence["imposed_months"] < FOUR_MONTHS:
        yield Issue(
            "Data may serve the execution of a custodial sentence only if it is at least 4 months; this one "
            f"is {sentence['imposed_months']} months ({article}).",
            ("sentence.imposed_months",),
        )
    if sentence["rendered_in_absentia"]:
        yield Issue(
            f"The sentence was rendered in absentia, so it cannot justify the order ({article}): choose "
            "another legal basis or purpose.",
            ("sentence.rendered_in_absentia",),
        )
    if not sentence["absconded"]:
        yield Issue(
            "The order may serve a sentence's execution only where the convicted person absconded "
            f"({article}).",
            ("sentence.absconded",),
        )


@issuing(
    "EE-10",
    f"{REG}, Art. 5(3)-(4)",
    "An EPOC for the execution of a custodial sentence needs a sentence of at least 4 months, not rendered "
    "in absentia, from which the convicted person absconded.",
    Confidence.CONFIRMED,
    "legal-rules.md §1.4 (E4); Art. 5(3) read again at fantasticsearch.net 2026-11-24",
    REGULATION,
)
def ee10(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if facts.production:
        yield from _sentence_issues(facts, "Art. 5(3)")


@issuing(
    "EE-35",
    f"{REG}, Art. 6",
    "An EPOC-PR for the execution of a custodial sentence needs the same sentence conditions as an EPOC: at "
    "least 4 months, not in absentia, the convicted person absconded.",
    Confidence.UNCONFIRMED,
    "legal-rules.md §1.4 (Art 6 row, UNCONFIRMED; paragraph number not read)",
    REGULATION,
)
def ee35(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if not facts.production:
        yield from _sentence_issues(facts, "Art. 6")


@issuing(
    "EE-11",
    f"{REG}, Art. 5(2)",
    "An EPOC must be necessary and proportionate, and a similar order must be possible in a similar domestic "
    "case: the certificate states the first and attests the second.",
    Confidence.CONFIRMED,
    "legal-rules.md §1.4 (E4); Art. 5(2) read again at fantasticsearch.net 2026-11-24",
    REGULATION,
)
def ee11(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if not facts.production:
        return
    if blank(facts.get("necessity_and_proportionality")):
        yield Issue(
            f"The statement is blank. {how_to_fix(facts, 'necessity_and_proportionality')}",
            ("necessity_and_proportionality",),
        )
    if facts.get("similar_domestic_order_possible") is not True:
        yield Issue(
            f"The attestation is false. {how_to_fix(facts, 'similar_domestic_order_possible')}",
            ("similar_domestic_order_possible",),
        )


@issuing(
    "EE-31",
    f"{REG}, Art. 12(1)(d), Annex IV",
    "An Annex IV category, when ticked, must be one of the Annex IV list, because it decides whether the "
    "enforcing authority may refuse for lack of double criminality.",
    Confidence.UNCONFIRMED,
    "legal-rules.md §1.7, §7.5 (Annex IV list UNCONFIRMED); reference/annex-iv-offences.json",
    REGULATION,
)
def ee31(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    category = facts.offence.get("annex_iv_category")
    if category is None or category in reference.annex_iv:
        return
    guess = difflib.get_close_matches(
        category.strip().lower().replace(" ", "_"), list(reference.annex_iv), n=1
    )
    hint = f" Did you mean {guess[0]!r} ({reference.annex_iv[guess[0]]})?" if guess else ""
    yield Issue(
        f"{category!r} is not an Annex IV category code: use one of the codes in the Annex IV list, or leave "
        f"the category out if none fits.{hint}",
        ("offence.annex_iv_category",),
    )
