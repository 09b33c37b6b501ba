"""Audit API: checkpoints for every party; entries, proofs and case files for oversight."""

import uuid
from typing import Any

from flask import Blueprint
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.api.endpoint import endpoint
from broker.api.endpoint import services
from broker.api.pagination import paginate
from broker.api.schemas import audit as schemas
from broker.audit import operations as audit_operations
from broker.audit import queries
from broker.audit.models import AuditCheckpoint
from broker.audit.queries import log_size
from broker.orders import operations as order_operations
from broker.vocabulary import OrganisationKind

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit")

OVERSIGHT = [OrganisationKind.OVERSIGHT_BODY]


def _oversight(actor: Actor, action: str) -> None:
    require_kind(actor, OVERSIGHT, action, writes=False)


@bp.get("/key")
@endpoint(
    summary="The log's origin and the broker's checkpoint verifier key",
    tag="audit",
    response=schemas.SigningKeyInfoSchema,
    problems=(problems.SigningUnavailable,),
)
def signing_key(session: orm.Session, actor: Actor) -> dict[str, str]:
    signer = services().log_signer
    if signer is None:
        raise problems.SigningUnavailable("this broker has no signing key configured (BROKER_KEY_FILE)")
    return {"origin": signer.origin, "vkey": signer.vkey}


@bp.get("/checkpoints")
@endpoint(
    summary="Every signed checkpoint, newest first",
    tag="audit",
    query=schemas.CheckpointQuerySchema,
    response=schemas.CheckpointPageSchema,
)
def list_checkpoints(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    return paginate(session, services(), queries.checkpoints(), query)


@bp.get("/checkpoints/latest")
@endpoint(
    summary="The newest signed checkpoint",
    tag="audit",
    response=schemas.CheckpointSchema,
    problems=(problems.NotFound,),
)
def latest_checkpoint(session: orm.Session, actor: Actor) -> AuditCheckpoint:
    latest = queries.latest_checkpoint(session)
    if latest is None:
        raise problems.NotFound("no checkpoint has been signed yet")
    return latest


@bp.post("/checkpoints")
@endpoint(
    summary="Sign a checkpoint of the log now (oversight body)",
    tag="audit",
    status=201,
    idempotent=True,
    response=schemas.CheckpointSchema,
    problems=(problems.Forbidden, problems.SigningUnavailable),
)
def sign_checkpoint(session: orm.Session, actor: Actor) -> AuditCheckpoint:
    _oversight(actor, "ask for a checkpoint")
    return audit_operations.sign_checkpoint(session, services().clock, services().log_signer)


@bp.get("/entries")
@endpoint(
    summary="Log entries in order (oversight body)",
    tag="audit",
    query=schemas.EntryQuerySchema,
    response=schemas.EntryPageSchema,
    problems=(problems.Forbidden,),
)
def list_entries(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    _oversight(actor, "read the log")
    return {"size": log_size(session), "entries": queries.entries(session, query["start"], query["limit"])}


@bp.get("/entries/<int:index>")
@endpoint(
    summary="One log entry (oversight body)",
    tag="audit",
    response=schemas.EntrySchema,
    problems=(problems.Forbidden, problems.InvalidRange),
)
def get_entry(session: orm.Session, actor: Actor, index: int) -> Any:
    _oversight(actor, "read the log")
    return queries.entry(session, index)


@bp.get("/proofs/inclusion")
@endpoint(
    summary="Inclusion proof of an entry in the tree of a given size (oversight body)",
    tag="audit",
    expensive=True,
    query=schemas.InclusionQuerySchema,
    response=schemas.InclusionProofSchema,
    problems=(problems.Forbidden, problems.InvalidRange),
)
def inclusion_proof(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    _oversight(actor, "read the log")
    proof, root = queries.inclusion_proof_and_root(session, query["index"], query["size"])
    return {
        "index": query["index"],
        "size": query["size"],
        "leaf_hash": queries.entry(session, query["index"]).leaf_hash,
        "root_hash": root,
        "proof": proof,
    }


@bp.get("/proofs/consistency")
@endpoint(
    summary="Consistency proof between two tree sizes (oversight body)",
    tag="audit",
    expensive=True,
    query=schemas.ConsistencyQuerySchema,
    response=schemas.ConsistencyProofSchema,
    problems=(problems.Forbidden, problems.InvalidRange),
)
def consistency_proof(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    _oversight(actor, "read the log")
    old_size, new_size = query["old_size"], query["new_size"]
    proof, old_root, new_root = queries.consistency_proof_and_roots(session, old_size, new_size)
    return {
        "old_size": old_size,
        "new_size": new_size,
        "old_root": old_root,
        "new_root": new_root,
        "proof": proof,
    }


@bp.get("/orders/<uuid:order_id>/case-file")
@endpoint(
    summary="An order's case file: metadata, signed messages, timeline with inclusion proofs",
    tag="audit",
    expensive=True,
    response=schemas.CaseFileSchema,
    problems=(problems.Forbidden, problems.NotFound),
)
def case_file(session: orm.Session, actor: Actor, order_id: uuid.UUID) -> dict[str, Any]:
    return order_operations.export_case_file(
        session, services().clock, services().log_signer, actor, order_id
    )
