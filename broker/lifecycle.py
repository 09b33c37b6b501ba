"""The order lifecycle in one place: which party may send which message in which state, and what follows.

A pure table (no database, no clock): `transition()` answers for one (order type, state, event,
side) and raises `NotAllowed` saying why not; operations apply the answer (state, clocks,
notifications) in one transaction. Clock effects are named here; durations live in broker.clocks.

Sides are relative to an order: its issuing authority, its addressee (the provider), the enforcing
authority notified under Art. 8 (if any), and the broker itself (deadlines that fall due).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum
from typing import Any

from broker.vocabulary import MessageType as M
from broker.vocabulary import OrderState as S
from broker.vocabulary import OrderType
from broker.vocabulary import RemovalMessageType as RM
from broker.vocabulary import RemovalState as RS


class Side(StrEnum):
    """Who acts on an order."""

    ISSUER = "issuing_authority"
    ADDRESSEE = "addressee"
    ENFORCER = "enforcing_authority"


class Clock(StrEnum):
    """The clocks an order can run (durations and what happens when they fall due: broker.clocks)."""

    PRODUCTION = "production"  # Art. 10(2)-(4): 10 days, or 8 hours in an emergency, from receipt
    ENFORCING_REVIEW = "enforcing_review"  # Art. 12(1), 10(4): 10 days / 96 hours from notification
    OBJECTION_WINDOW = "objection_window"  # Art. 17: a third-country objection within 10 days of receipt
    CLARIFICATION = "clarification"  # Art. 10(6): the issuer reacts within 5 days (UNCONFIRMED)
    EX_POST_VALIDATION = "ex_post_validation"  # Art. 4(5): validation within 48 hours of issuing
    PRESERVATION = "preservation"  # Art. 11(1): 60 days from receipt, +30 once
    ENFORCEMENT_DECISION = "enforcement_decision"  # Art. 16(2): 5 working days
    REMOVAL = "removal"  # Regulation (EU) 2021/784, Art. 3(3): one hour from receipt
    SCRUTINY = (
        "scrutiny"  # Regulation (EU) 2021/784, Art. 4(3)-(4): 72 hours from the copy, or from a request
    )
    CONTENT_PRESERVATION = (
        "content_preservation"  # Regulation (EU) 2021/784, Art. 6(2): 6 months from removal
    )
    # Regulation (EU) 2021/784, Art. 11(3): no disclosure to the content provider, 6 weeks, renewable (UNCONFIRMED)
    WITHHOLDING = "withholding"
    COMPLAINT = "complaint"  # Regulation (EU) 2021/784, Art. 10(2): the complaint's outcome within two weeks
    SERVICE = "service"  # an authority serves the order on the provider (broker.legal.routes: CETS 224 Art. 8, COPO s.9)


class Via(StrEnum):
    """Who takes delivery of an issued order first (broker.legal.routes.Channel says which authority)."""

    DIRECT = "direct"  # the provider's addressee: the Regulation, CETS 224 Art. 7
    AUTHORITY = "authority"  # an authority that serves it on the provider: CETS 224 Art. 8, 9; Budapest Art. 29; COPO s.9


class Effect(StrEnum):
    """What a transition does to one clock."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    EXTEND = "extend"


RESUME = "resume"  # target: back to the state the order was in before it was paused
KEEP = "keep"  # target: the state does not change

RECEIVE = "receive"  # the addressee takes delivery (an API action, not a signed message)
# The authority of an order's route serves it on the provider (an API action: the service is that
# authority's own act under its law, not a message between the order's parties).
SERVE = "serve"

ACTIVE = frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.PRESERVED})
PAUSED = frozenset({S.CLARIFICATION_REQUESTED, S.UNDER_REVIEW, S.SUSPENDED})
ANSWERED = frozenset({S.PRODUCED, S.PARTIALLY_PRODUCED, S.NOT_EXECUTED})
FINAL = frozenset({S.WITHDRAWN, S.CLOSED})
# Execution stops for good, so every clock stops: after an Art. 12 refusal the addressee must not
# execute the order, and its deadline must not run on into a missed-deadline record.
ENDS_EXECUTION = frozenset({S.WITHDRAWN, S.REFUSED})
# The removal order's own states (REMOVAL_RULES); no certificate ever reaches them.
REMOVAL_ONLY = frozenset({S.REMOVED, S.IMPOSSIBLE, S.CEASED, S.REINSTATED})
OPEN = frozenset(set(S) - FINAL - REMOVAL_ONLY - {S.DRAFT})
EVERY_VIA = frozenset(Via)
# An order that an authority serves, before the provider has it: only that route's steps and withdrawal.
BEFORE_SERVICE = frozenset({S.AWAITING_SERVICE, S.SERVED})
DIRECT = frozenset({Via.DIRECT})
THROUGH_AUTHORITY = frozenset({Via.AUTHORITY})

EPOC = frozenset({OrderType.EPOC})
EPOC_PR = frozenset({OrderType.EPOC_PR})
BOTH = EPOC | EPOC_PR
# A UK overseas production order (COPO): served by the UK's designated authority, answered by the respondent.
OVERSEAS = frozenset({OrderType.OVERSEAS_PRODUCTION_ORDER})

Target = str  # an OrderState value, RESUME or KEEP


@dataclass(frozen=True)
class Rule:
    """One allowed step; `by` picks the target from a body member (e.g. a decision)."""

    order_types: frozenset[OrderType]
    states: frozenset[S]
    event: str
    side: Side
    target: Target | None = None
    by: tuple[str, Mapping[str, Target]] | None = None
    clocks: tuple[tuple[Clock, Effect], ...] = ()
    why: str = ""
    # Extra clock effects for one value of the `by` member (e.g. a refusal to preserve ends the 60 days).
    also: Mapping[str, tuple[tuple[Clock, Effect], ...]] = field(default_factory=dict)
    # The routes the rule applies to: taking delivery differs where an authority serves the order.
    via: frozenset[Via] = EVERY_VIA
    # The event of the order's route (broker.legal.routes.Event) this step is: the route's clocks that run
    # from it start here, each as long as the route's data say ("" for none).
    route_event: str = ""

    def target_for(self, body: Mapping[str, Any]) -> Target:
        if self.by is None:
            assert self.target is not None
            return self.target
        member, targets = self.by
        return targets[body[member]]

    def clocks_for(self, body: Mapping[str, Any]) -> tuple[tuple[Clock, Effect], ...]:
        """The rule's clock effects, plus those that only one answer brings (`also`)."""
        if self.by is None:
            return self.clocks
        return self.clocks + self.also.get(body[self.by[0]], ())


@dataclass(frozen=True)
class Step:
    """The answer for one allowed event: the state to go to and the clock effects to apply."""

    target: Target
    clocks: tuple[tuple[Clock, Effect], ...] = field(default_factory=tuple)
    route_event: str = ""  # start the route's clocks that run from this event (Rule.route_event)


class NotAllowed(Exception):
    """This party may not send this message to an order in this state."""

    def __init__(self, reason: str, *, wrong_side: bool = False) -> None:
        super().__init__(reason)
        self.wrong_side = wrong_side  # no state would allow it: this side never sends this event


PRODUCTION_PAUSE = ((Clock.PRODUCTION, Effect.PAUSE),)
PRODUCTION_RESUME = ((Clock.PRODUCTION, Effect.RESUME),)
# A certificate's clocks: the removal order's own (its hour, the host State's scrutiny) never run on one.
REMOVAL_CLOCKS = (
    Clock.REMOVAL,
    Clock.SCRUTINY,
    Clock.CONTENT_PRESERVATION,
    Clock.WITHHOLDING,
    Clock.COMPLAINT,
)
STOP_ALL = tuple((clock, Effect.STOP) for clock in Clock if clock not in REMOVAL_CLOCKS)

RULES: tuple[Rule, ...] = (
    # Taking delivery starts the clocks that run from receipt.
    Rule(
        EPOC,
        frozenset({S.ISSUED}),
        RECEIVE,
        Side.ADDRESSEE,
        S.RECEIVED,
        clocks=((Clock.PRODUCTION, Effect.START), (Clock.OBJECTION_WINDOW, Effect.START)),
        why="Art. 10(2)-(4): the production deadline runs from receipt",
        via=DIRECT,
    ),
    Rule(
        EPOC_PR,
        frozenset({S.ISSUED}),
        RECEIVE,
        Side.ADDRESSEE,
        S.RECEIVED,
        clocks=((Clock.PRESERVATION, Effect.START),),
        why="Art. 11(1): preservation lasts 60 days from receipt",
        via=DIRECT,
    ),
    # Through an authority (broker.legal.routes): it takes delivery, serves the order on the provider, and
    # the provider then takes delivery of the served order. Each route's clocks start at the event its
    # data name: the time to serve from receipt (CETS 224 Art. 8) or from the order's making (COPO s.9(1),
    # started at issue), the provider's from receipt by the point of contact (Art. 9) or from service.
    Rule(
        BOTH | OVERSEAS,
        frozenset({S.ISSUED}),
        RECEIVE,
        Side.ENFORCER,
        S.AWAITING_SERVICE,
        via=THROUGH_AUTHORITY,
        route_event="receipt",
        why="CETS 224 Art. 8: the requested Party's authority receives the order; Art. 9(1): its 24/7 "
        "point of contact; COPO s.9: the designated authority",
    ),
    Rule(
        BOTH | OVERSEAS,
        frozenset({S.AWAITING_SERVICE}),
        SERVE,
        Side.ENFORCER,
        S.SERVED,
        clocks=((Clock.SERVICE, Effect.STOP),),
        via=THROUGH_AUTHORITY,
        route_event="service",
        why="CETS 224 Art. 8: the requested Party gives effect to the order and serves it on the provider "
        "(Art. 9: passes the request on); COPO s.9(1)-(3): the designated authority serves it",
    ),
    # The requested Party refuses to give effect to the order, on the grounds its route allows
    # (broker.legal.routes.Refusal, checked in broker.workflow.routing): execution ends, every clock stops.
    Rule(
        BOTH,
        frozenset({S.AWAITING_SERVICE}),
        M.REQUESTED_PARTY_REFUSAL,
        Side.ENFORCER,
        S.REFUSED,
        via=THROUGH_AUTHORITY,
        why="CETS 224 Art. 8(7) (UNCONFIRMED): the requested Party refuses to execute the request and "
        "notifies the requesting Party; Budapest Art. 29(4)-(5): a preservation request refused",
    ),
    Rule(
        BOTH | OVERSEAS,
        frozenset({S.SERVED}),
        RECEIVE,
        Side.ADDRESSEE,
        S.RECEIVED,
        via=THROUGH_AUTHORITY,
        why="the provider takes delivery of the served order; its clocks run from service already",
    ),
    Rule(
        BOTH | OVERSEAS,
        frozenset({S.RECEIVED}),
        M.ACKNOWLEDGEMENT,
        Side.ADDRESSEE,
        S.ACKNOWLEDGED,
        why="the addressee confirms it holds the certificate",
    ),
    Rule(
        EPOC,
        frozenset({S.RECEIVED, S.ACKNOWLEDGED}),
        M.PRESERVATION_NOTICE,
        Side.ADDRESSEE,
        S.PRESERVED,
        why="Art. 10(1): the addressee preserves the data pending production",
    ),
    # The addressee's answer.
    Rule(
        EPOC,
        ACTIVE,
        M.RESPONSE,
        Side.ADDRESSEE,
        by=(
            "outcome",
            {
                "produced": S.PRODUCED,
                "partially_produced": S.PARTIALLY_PRODUCED,
                "not_executed": S.NOT_EXECUTED,
            },
        ),
        clocks=((Clock.PRODUCTION, Effect.STOP), (Clock.OBJECTION_WINDOW, Effect.STOP)),
        why="Art. 10(2)-(3), Annex III: the data, or why not",
    ),
    Rule(
        EPOC_PR,
        frozenset({S.RECEIVED, S.ACKNOWLEDGED}),
        M.RESPONSE,
        Side.ADDRESSEE,
        by=("outcome", {"preserved": S.PRESERVED, "not_executed": S.NOT_EXECUTED}),
        also={"not_executed": ((Clock.PRESERVATION, Effect.STOP),)},
        why="Art. 11(1), Annex III: preserved, or why not (nothing preserved: the 60 days end)",
    ),
    # The respondent to an overseas production order produces (or gives access), or says why not; data it
    # holds to be excepted (s.3) it refuses with its grounds (COPO s.1(3): the order may not require them).
    Rule(
        OVERSEAS,
        frozenset({S.RECEIVED, S.ACKNOWLEDGED}),
        M.RESPONSE,
        Side.ADDRESSEE,
        by=(
            "outcome",
            {
                "produced": S.PRODUCED,
                "partially_produced": S.PARTIALLY_PRODUCED,
                "not_executed": S.NOT_EXECUTED,
            },
        ),
        clocks=((Clock.PRODUCTION, Effect.STOP),),
        why="COPO s.1(4), s.5: the data produced, or access given, within the compliance period; or why not",
    ),
    Rule(
        OVERSEAS,
        frozenset({S.RECEIVED, S.ACKNOWLEDGED}),
        M.EXCEPTED_DATA_REFUSAL,
        Side.ADDRESSEE,
        by=("withheld", {"all": S.NOT_EXECUTED, "part": S.PARTIALLY_PRODUCED}),
        clocks=((Clock.PRODUCTION, Effect.STOP),),
        why="COPO s.1(3), s.3: excepted electronic data (legally privileged items, confidential personal "
        "records) withheld, with the grounds",
    ),
    # The produced data: encrypted packages sealed by the addressee's signed manifest. Before the response
    # (which then says produced) or after it, for a production delivered in parts; the order keeps its state.
    Rule(
        EPOC,
        ACTIVE | {S.PRODUCED, S.PARTIALLY_PRODUCED},
        M.EVIDENCE_MANIFEST,
        Side.ADDRESSEE,
        KEEP,
        why="Art. 10(2)-(4): the data themselves, encrypted to the issuing authority, with their hashes",
    ),
    # Clarification (Annex III): the production clock stops until the issuer answers.
    Rule(
        EPOC,
        ACTIVE,
        M.CLARIFICATION_REQUEST,
        Side.ADDRESSEE,
        S.CLARIFICATION_REQUESTED,
        clocks=(*PRODUCTION_PAUSE, (Clock.CLARIFICATION, Effect.START)),
        why="Art. 10(6): deadlines do not run until the certificate is clarified",
    ),
    Rule(
        EPOC_PR,
        ACTIVE,
        M.CLARIFICATION_REQUEST,
        Side.ADDRESSEE,
        S.CLARIFICATION_REQUESTED,
        clocks=((Clock.CLARIFICATION, Effect.START),),
        why="Annex III: incomplete or manifest errors; the 60 days keep running (UNCONFIRMED)",
    ),
    Rule(
        BOTH,
        frozenset({S.CLARIFICATION_REQUESTED}),
        M.CLARIFICATION_ANSWER,
        Side.ISSUER,
        RESUME,
        clocks=(*PRODUCTION_RESUME, (Clock.CLARIFICATION, Effect.STOP)),
        why="Art. 10(6): the issuer's answer lets the deadline run again",
    ),
    # Immunities, privileges, press freedom (Art. 10(5)): the issuer maintains, adapts or withdraws.
    Rule(
        EPOC,
        ACTIVE,
        M.IMMUNITY_CONCERN,
        Side.ADDRESSEE,
        S.UNDER_REVIEW,
        clocks=PRODUCTION_PAUSE,
        why="Art. 10(5): immunities, privileges or press freedom (Annex III)",
    ),
    Rule(
        EPOC,
        frozenset({S.UNDER_REVIEW}),
        M.ORDER_DECISION,
        Side.ISSUER,
        by=("decision", {"maintain": RESUME, "adapt": RESUME, "withdraw": S.WITHDRAWN}),
        clocks=PRODUCTION_RESUME,
        why="Art. 10(5): the issuer maintains, adapts or withdraws the order",
    ),
    # Conflict with third-country law (Art. 17): execution is suspended while a court reviews it.
    Rule(
        EPOC,
        ACTIVE,
        M.THIRD_COUNTRY_OBJECTION,
        Side.ADDRESSEE,
        S.SUSPENDED,
        clocks=PRODUCTION_PAUSE,
        why="Art. 17: a reasoned objection within 10 days of receipt suspends execution",
    ),
    Rule(
        EPOC,
        frozenset({S.SUSPENDED}),
        M.COURT_REVIEW_OUTCOME,
        Side.ISSUER,
        by=("outcome", {"upheld": RESUME, "lifted": S.WITHDRAWN}),
        clocks=PRODUCTION_RESUME,
        why="Art. 17: the issuing State's court upholds or lifts the order (UNCONFIRMED)",
    ),
    # The enforcing authority's review of a notified EPOC (Art. 12). In an emergency the data are due
    # within 8 hours but the review window is 96 hours, so a refusal may follow the answer (Art. 10(4)).
    Rule(
        EPOC,
        frozenset({S.ISSUED}) | ACTIVE | PAUSED | ANSWERED,
        M.ENFORCING_REVIEW,
        Side.ENFORCER,
        by=("decision", {"no_objection": KEEP, "refusal": S.REFUSED}),
        clocks=((Clock.ENFORCING_REVIEW, Effect.STOP),),
        why="Art. 12(1), 10(4): within 10 days of the notification, 96 hours in an emergency",
    ),
    # Ex-post validation of an emergency order issued without prior validation (Art. 4(5)).
    Rule(
        BOTH,
        OPEN
        - {S.REFUSED, S.ENFORCEMENT_REQUESTED, S.ENFORCEMENT_REFUSED, S.PRESERVATION_ENDED}
        - BEFORE_SERVICE,
        M.EX_POST_VALIDATION,
        Side.ISSUER,
        by=("outcome", {"granted": KEEP, "refused": S.WITHDRAWN}),
        clocks=((Clock.EX_POST_VALIDATION, Effect.STOP),),
        why="Art. 4(5): validation within 48 hours, or withdrawal and deletion",
    ),
    # Preservation follow-ups (Art. 11, Annexes V and VI).
    Rule(
        EPOC_PR,
        ACTIVE,
        M.PRESERVATION_EXTENSION,
        Side.ISSUER,
        KEEP,
        clocks=((Clock.PRESERVATION, Effect.EXTEND),),
        why="Art. 11(1): once, by 30 days, before the end",
    ),
    Rule(
        EPOC_PR,
        ACTIVE,
        M.PRODUCTION_REQUEST_CONFIRMATION,
        Side.ISSUER,
        KEEP,
        clocks=((Clock.PRESERVATION, Effect.STOP),),
        why="Art. 11(1)-(2): preserve until the production request is executed",
    ),
    Rule(
        EPOC_PR,
        ACTIVE,
        M.PRESERVATION_RELEASE,
        Side.ISSUER,
        S.PRESERVATION_ENDED,
        clocks=((Clock.PRESERVATION, Effect.STOP),),
        why="Art. 11(3)",
    ),
    # A new deadline after Annex III (Art. 10(8)).
    Rule(
        EPOC,
        ACTIVE,
        M.NEW_DEADLINE,
        Side.ISSUER,
        KEEP,
        clocks=((Clock.PRODUCTION, Effect.START),),
        why="Art. 10(8): the issuer may set a new deadline (UNCONFIRMED)",
    ),
    Rule(
        EPOC,
        frozenset({S.NOT_EXECUTED, S.PARTIALLY_PRODUCED}),
        M.NEW_DEADLINE,
        Side.ISSUER,
        S.ACKNOWLEDGED,
        clocks=((Clock.PRODUCTION, Effect.START),),
        why="Art. 10(8): the issuer may set a new deadline (UNCONFIRMED)",
    ),
    # Enforcement (Art. 16).
    Rule(
        BOTH,
        frozenset({S.NOT_EXECUTED}) | ACTIVE,
        M.ENFORCEMENT_REQUEST,
        Side.ISSUER,
        S.ENFORCEMENT_REQUESTED,
        clocks=((Clock.PRODUCTION, Effect.STOP), (Clock.ENFORCEMENT_DECISION, Effect.START)),
        why="Art. 16(1): after non-compliance without accepted reasons",
    ),
    Rule(
        EPOC,
        frozenset({S.ENFORCEMENT_REQUESTED}),
        M.ENFORCEMENT_DECISION,
        Side.ENFORCER,
        by=("outcome", {"recognised": S.ACKNOWLEDGED, "refused": S.ENFORCEMENT_REFUSED}),
        clocks=((Clock.ENFORCEMENT_DECISION, Effect.STOP),),
        also={"recognised": ((Clock.PRODUCTION, Effect.START),)},
        why="Art. 16(2)-(5): recognition within 5 working days; the addressee must then comply (new deadline UNCONFIRMED)",
    ),
    Rule(
        EPOC_PR,
        frozenset({S.ENFORCEMENT_REQUESTED}),
        M.ENFORCEMENT_DECISION,
        Side.ENFORCER,
        by=("outcome", {"recognised": S.ACKNOWLEDGED, "refused": S.ENFORCEMENT_REFUSED}),
        clocks=((Clock.ENFORCEMENT_DECISION, Effect.STOP),),
        also={"recognised": ((Clock.PRESERVATION, Effect.START),)},
        why="Art. 16(2)-(5): recognition within 5 working days; the addressee must then preserve (UNCONFIRMED)",
    ),
    # Ending.
    Rule(
        BOTH | OVERSEAS,
        OPEN - {S.PRESERVATION_ENDED},
        M.WITHDRAWAL,
        Side.ISSUER,
        S.WITHDRAWN,
        clocks=STOP_ALL,
        why="the issuer may withdraw at any time before the order ends",
    ),
    Rule(
        BOTH | OVERSEAS,
        ANSWERED | {S.PRESERVATION_ENDED, S.ENFORCEMENT_REFUSED},
        M.CLOSURE,
        Side.ISSUER,
        S.CLOSED,
        clocks=STOP_ALL,
        why="the issuer closes an order that has run its course",
    ),
)


def transition(
    order_type: OrderType,
    state: S,
    event: str,
    side: Side,
    body: Mapping[str, Any],
    via: Via = Via.DIRECT,
) -> Step:
    """The step for this event, or NotAllowed explaining which transition is refused and why."""
    if order_type is OrderType.REMOVAL_ORDER:
        return _removal_step(state, event, side, body)
    for rule in RULES:
        if (
            order_type in rule.order_types
            and via in rule.via
            and state in rule.states
            and event == rule.event
            and side is rule.side
        ):
            target = rule.target_for(body)
            clocks = STOP_ALL if target in ENDS_EXECUTION else rule.clocks_for(body)
            return Step(target, clocks, rule.route_event)
    senders = {r.side for r in RULES if r.event == event and order_type in r.order_types and via in r.via}
    raise NotAllowed(
        _refusal(order_type, state, event, side, via), wrong_side=bool(senders) and side not in senders
    )


def allowed(order_type: OrderType, state: S, side: Side, via: Via = Via.DIRECT) -> list[str]:
    """The events this side may send to an order of this type, on this route, in this state."""
    if order_type is OrderType.REMOVAL_ORDER:
        return removal_allowed(RS(state.value), side) if state.value in set(RS) else []
    return sorted(
        {
            r.event
            for r in RULES
            if order_type in r.order_types and via in r.via and state in r.states and r.side is side
        }
    )


def _refusal(order_type: OrderType, state: S, event: str, side: Side, via: Via) -> str:
    event = str(event)  # the wire name, not the enum's repr
    senders = {
        r.side.value.replace("_", " ")
        for r in RULES
        if r.event == event and order_type in r.order_types and via in r.via
    }
    if not senders:
        return f"an {order_type.value} has no {event!r} step"
    if side.value.replace("_", " ") not in senders:
        return f"only the {' or '.join(sorted(senders))} may send {event!r}, not the {side.value.replace('_', ' ')}"
    possible = allowed(order_type, state, side, via)
    options = ", ".join(possible) if possible else "nothing"
    return f"{event!r} is not allowed while the {order_type.value} is {state.value}; the {side.value.replace('_', ' ')} may send: {options}"


# Removal orders under Regulation (EU) 2021/784 (terrorist content online). The hour of Art. 3(3) runs from
# receipt. Force majeure or de facto impossibility (Art. 3(7)) and a request for clarification (Art. 3(8))
# hold it; when the reasons cease, or the clarification arrives, the hour starts again in full: the
# Regulation says the deadline "starts to run" then, not that it resumes (tco-dsa.md TCO-08, TCO-09,
# confirmed in [T2]). The confirmation of Annex II stops it (TCO-07, UNCONFIRMED) and starts the
# preservation of the removed content (Art. 6(2), six months, TCO-15), which the competent authority may
# extend. The host State's scrutiny window (Art. 4(3)) is a clock the issue step starts; a reasoned request
# (Art. 4(4)) starts it again for 72 hours from the request; the decision stops it, and a finding of
# infringement ends the order's legal effects (ceased, Art. 4(6)) until the provider reinstates (Art. 4(7)).
# The content provider's rights: the provider's information (Art. 11(1)-(2)), which the issuer's withholding
# (Art. 11(3), a clock of its own, started at receipt where Annex I (g) decided it) holds back, and its
# complaints and their outcome (Art. 10, a two-week clock).

REMOVAL_CLOCK = Clock.REMOVAL  # Art. 3(3): one hour from receipt
REMOVAL_OPEN = frozenset({RS.RECEIVED, RS.IMPOSSIBLE, RS.CLARIFICATION_REQUESTED})
# Where the order has legal effects the host State's authority may scrutinise (Art. 4(3)-(4)).
REMOVAL_IN_FORCE = frozenset({RS.ISSUED, *REMOVAL_OPEN, RS.REMOVED})
SCRUTINY_ENDS = ((Clock.SCRUTINY, Effect.STOP),)
# Where content was removed under the order (and perhaps reinstated since): the content provider's rights.
AFTER_REMOVAL = frozenset({RS.REMOVED, RS.CEASED, RS.REINSTATED})


@dataclass(frozen=True)
class RemovalStep:
    """The answer for one allowed event of a removal order: its state (None: unchanged), the effect on the
    hour, and the effects on the order's other clocks (the host State's scrutiny, the preservation)."""

    target: RS | None
    clock: Effect | None
    also: tuple[tuple[Clock, Effect], ...] = ()


@dataclass(frozen=True)
class RemovalRule:
    """One allowed step of a removal order; `by` picks the step from a body member (e.g. a finding)."""

    states: frozenset[RS]
    event: str
    side: Side
    target: RS | None
    clock: Effect | None
    why: str
    also: tuple[tuple[Clock, Effect], ...] = ()
    by: tuple[str, Mapping[str, RemovalStep]] | None = None

    def step_for(self, body: Mapping[str, Any]) -> RemovalStep:
        """The step this rule takes; a `by` rule reads its member (KeyError if the body lacks the answer)."""
        if self.by is None:
            return RemovalStep(self.target, self.clock, self.also)
        member, steps = self.by
        return steps[body[member]]


REMOVAL_RULES: tuple[RemovalRule, ...] = (
    RemovalRule(
        frozenset({RS.ISSUED}),
        RECEIVE,
        Side.ADDRESSEE,
        RS.RECEIVED,
        Effect.START,
        "Art. 3(3), (5): remove or disable within one hour of receipt, recorded to the second",
    ),
    RemovalRule(
        REMOVAL_OPEN,
        RM.REMOVAL_CONFIRMATION,
        Side.ADDRESSEE,
        RS.REMOVED,
        Effect.STOP,
        "Art. 3(6), Annex II: removal or disabling and its time, without undue delay (UNCONFIRMED); "
        "Art. 6(2): the content and related data are preserved for six months from removal",
        also=((Clock.CONTENT_PRESERVATION, Effect.START),),
    ),
    RemovalRule(
        frozenset({RS.RECEIVED}),
        RM.REMOVAL_IMPOSSIBILITY,
        Side.ADDRESSEE,
        RS.IMPOSSIBLE,
        Effect.PAUSE,
        "Art. 3(7), Annex III: force majeure or de facto impossibility; the hour waits",
    ),
    RemovalRule(
        frozenset({RS.IMPOSSIBLE}),
        RM.IMPOSSIBILITY_CEASED,
        Side.ADDRESSEE,
        RS.RECEIVED,
        Effect.START,
        "Art. 3(7): the hour starts to run again, in full, once the reasons cease",
    ),
    RemovalRule(
        frozenset({RS.RECEIVED}),
        RM.REMOVAL_CLARIFICATION_REQUEST,
        Side.ADDRESSEE,
        RS.CLARIFICATION_REQUESTED,
        Effect.PAUSE,
        "Art. 3(8), Annex III: manifest errors or insufficient information; the hour waits",
    ),
    RemovalRule(
        frozenset({RS.CLARIFICATION_REQUESTED}),
        RM.REMOVAL_CLARIFICATION,
        Side.ISSUER,
        RS.RECEIVED,
        Effect.START,
        "Art. 3(8): the hour starts to run again, in full, on receipt of the clarification",
    ),
    # Cross-border scrutiny (Art. 4(3)-(7)); the provider still removes within the hour meanwhile (Art. 4(2)).
    RemovalRule(
        REMOVAL_OPEN | {RS.REMOVED},
        RM.REMOVAL_SCRUTINY_REQUEST,
        Side.ADDRESSEE,
        None,
        None,
        "Art. 4(4): a reasoned request, within 48 hours of receipt (UNCONFIRMED); the host State's "
        "authority decides within 72 hours of receiving it",
        also=((Clock.SCRUTINY, Effect.START),),
    ),
    RemovalRule(
        REMOVAL_IN_FORCE,
        RM.REMOVAL_SCRUTINY_INTENTION,
        Side.ENFORCER,
        None,
        None,
        "Art. 4(5): before finding an infringement, the host State's authority informs the issuer of its "
        "intention and reasons (UNCONFIRMED)",
    ),
    RemovalRule(
        REMOVAL_IN_FORCE,
        RM.REMOVAL_SCRUTINY_DECISION,
        Side.ENFORCER,
        None,
        None,
        "Art. 4(3)-(4), (6): a reasoned decision; on an infringement the order ceases to have legal effects "
        "(UNCONFIRMED)",
        by=(
            "finding",
            {
                "no_infringement": RemovalStep(None, None, SCRUTINY_ENDS),
                "infringement": RemovalStep(RS.CEASED, Effect.STOP, SCRUTINY_ENDS),
            },
        ),
    ),
    RemovalRule(
        frozenset({RS.CEASED}),
        RM.REMOVAL_REINSTATEMENT,
        Side.ADDRESSEE,
        RS.REINSTATED,
        None,
        "Art. 4(7): the provider reinstates the content or access to it immediately (UNCONFIRMED); "
        "nothing removed is left to preserve",
        also=((Clock.CONTENT_PRESERVATION, Effect.STOP),),
    ),
    RemovalRule(
        frozenset({RS.REMOVED}),
        RM.REMOVAL_PRESERVATION_EXTENSION,
        Side.ISSUER,
        None,
        None,
        "Art. 6(2): preserved for a further specified period, on request, only as long as review "
        "proceedings need it (UNCONFIRMED)",
        also=((Clock.CONTENT_PRESERVATION, Effect.EXTEND),),
    ),
    # The content provider's rights (Arts. 10-11). The broker records that the provider informed the content
    # provider, never the removed content itself.
    RemovalRule(
        AFTER_REMOVAL,
        RM.CONTENT_PROVIDER_INFORMATION,
        Side.ADDRESSEE,
        None,
        None,
        "Art. 11(1)-(2): the provider made information on the removal available to the content provider and, "
        "at its request, the reasons and possibilities to challenge or a copy of the order; refused while a "
        "withholding of Art. 11(3) runs",
    ),
    RemovalRule(
        REMOVAL_OPEN | {RS.REMOVED},
        RM.REMOVAL_WITHHOLDING,
        Side.ISSUER,
        None,
        None,
        "Art. 11(3): for public security, no disclosure to the content provider for at most 6 weeks from the "
        "decision, renewable by 6 weeks while still justified (UNCONFIRMED)",
        by=(
            "decision",
            {
                "withhold": RemovalStep(None, None, ((Clock.WITHHOLDING, Effect.START),)),
                "renew": RemovalStep(None, None, ((Clock.WITHHOLDING, Effect.EXTEND),)),
            },
        ),
    ),
    RemovalRule(
        frozenset({RS.REMOVED}),
        RM.REMOVAL_COMPLAINT,
        Side.ADDRESSEE,
        None,
        None,
        "Art. 10(1): the content provider's complaint to the provider, asking for reinstatement; its outcome is "
        "due within two weeks of receipt (UNCONFIRMED)",
        also=((Clock.COMPLAINT, Effect.START),),
    ),
    RemovalRule(
        AFTER_REMOVAL,
        RM.REMOVAL_COMPLAINT_OUTCOME,
        Side.ADDRESSEE,
        None,
        None,
        "Art. 10(2): the provider informs the complainant of the outcome, reinstating the content or giving its "
        "reasons and the remedies left (UNCONFIRMED)",
        also=((Clock.COMPLAINT, Effect.STOP),),
    ),
)


def removal_transition(
    state: RS, event: str, side: Side, body: Mapping[str, Any] | None = None
) -> RemovalStep:
    """The step for this event of a removal order, or NotAllowed saying who may send what now."""
    for rule in REMOVAL_RULES:
        if state in rule.states and event == rule.event and side is rule.side:
            return rule.step_for(body or {})
    senders = {r.side for r in REMOVAL_RULES if r.event == event}
    if not senders:
        raise NotAllowed(f"a removal order has no {str(event)!r} step")
    if side not in senders:
        names = " or ".join(sorted(sender.value.replace("_", " ") for sender in senders))
        raise NotAllowed(f"only the {names} may send {str(event)!r}", wrong_side=True)
    options = ", ".join(removal_allowed(state, side)) or "nothing"
    raise NotAllowed(
        f"{str(event)!r} is not allowed while the removal order is {state.value}; "
        f"the {side.value.replace('_', ' ')} may send: {options}"
    )


def removal_allowed(state: RS, side: Side) -> list[str]:
    """The events this side may send to a removal order in this state."""
    return sorted({str(r.event) for r in REMOVAL_RULES if state in r.states and r.side is side})


def _removal_step(state: S, event: str, side: Side, body: Mapping[str, Any]) -> Step:
    """A removal order's step in the form the workflow applies: its state and its clocks' effects."""
    if state.value not in set(RS):
        raise NotAllowed(f"{str(event)!r} is not allowed while the removal order is {state.value}")
    step = removal_transition(RS(state.value), event, side, body)
    hour = ((Clock.REMOVAL, step.clock),) if step.clock else ()
    return Step(step.target.value if step.target else KEEP, (*hour, *step.also))
