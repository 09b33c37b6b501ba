"""Who may do what: every endpoint x every kind of party, allowed and denied.

The orders involved are all the prosecutor's (Parquet de Paris), addressed to Example Mail's
designated establishment ("provider"). "other_authority" and "other_provider" are parties of the same
kinds that have nothing to do with them. "europol" receives DSA Art. 18(2) notifications and is party to no
order: it reads the registry and its own notifications, and every order route refuses it.
"""

import base64
import hashlib
import uuid
from datetime import timedelta
from typing import Any

import pyrage
import pytest

from broker.audit import operations as audit_operations
from broker.certificates import Seal
from broker.certificates import certificate_pdf
from broker.clock import to_rfc3339
from broker.etsi import forms
from broker.etsi import hi1
from broker.etsi import provider
from broker.parties import operations
from broker.parties.models import Organisation
from broker.problems import PROBLEM_BASE
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from tests.remembered import remember
from tests.removal.examples import threat_notification

# The app with a seal: without one the PDF routes answer 503 to everyone, which would hide who may read
# them and who not.
pytestmark = pytest.mark.usefixtures("sealed")

PARTIES = (
    "prosecutor",
    "other_authority",
    "provider",
    "other_provider",
    "enforcing",
    "oversight",
    "europol",
    "anonymous",
)

# (method, path, who) -> status. {draft}, {issued} and {received} are the prosecutor's orders in that
# state; {message} is {issued}'s signed EPOC; {organisation} is Example Mail and {webhook} a webhook
# endpoint Example Mail registered; {uploading} and {sealed} are evidence packages on {received} (see
# the `evidence` fixture); {threat} is Example Mail's DSA Art. 18 notification to the Parquet de Paris.
ACCESS = [
    # --- GET /me ---------------------------------------------------------------------------------------
    # allowed
    ("GET", "/api/v1/me", "prosecutor", 200),
    ("GET", "/api/v1/me", "other_authority", 200),
    ("GET", "/api/v1/me", "provider", 200),
    ("GET", "/api/v1/me", "other_provider", 200),
    ("GET", "/api/v1/me", "enforcing", 200),
    ("GET", "/api/v1/me", "oversight", 200),
    ("GET", "/api/v1/me", "europol", 200),
    # denied
    ("GET", "/api/v1/me", "anonymous", 401),
    # --- GET /organisations ----------------------------------------------------------------------------
    # allowed
    ("GET", "/api/v1/organisations", "prosecutor", 200),
    ("GET", "/api/v1/organisations", "other_authority", 200),
    ("GET", "/api/v1/organisations", "provider", 200),
    ("GET", "/api/v1/organisations", "other_provider", 200),
    ("GET", "/api/v1/organisations", "enforcing", 200),
    ("GET", "/api/v1/organisations", "oversight", 200),
    ("GET", "/api/v1/organisations", "europol", 200),
    # denied
    ("GET", "/api/v1/organisations", "anonymous", 401),
    # --- GET /organisations/{id} -----------------------------------------------------------------------
    # allowed
    ("GET", "/api/v1/organisations/{organisation}", "prosecutor", 200),
    ("GET", "/api/v1/organisations/{organisation}", "other_authority", 200),
    ("GET", "/api/v1/organisations/{organisation}", "provider", 200),
    ("GET", "/api/v1/organisations/{organisation}", "other_provider", 200),
    ("GET", "/api/v1/organisations/{organisation}", "enforcing", 200),
    ("GET", "/api/v1/organisations/{organisation}", "oversight", 200),
    ("GET", "/api/v1/organisations/{organisation}", "europol", 200),
    # denied
    ("GET", "/api/v1/organisations/{organisation}", "anonymous", 401),
    # --- GET /organisations/{id}/keys ------------------------------------------------------------------
    # allowed
    ("GET", "/api/v1/organisations/{organisation}/keys", "prosecutor", 200),
    ("GET", "/api/v1/organisations/{organisation}/keys", "other_authority", 200),
    ("GET", "/api/v1/organisations/{organisation}/keys", "provider", 200),
    ("GET", "/api/v1/organisations/{organisation}/keys", "other_provider", 200),
    ("GET", "/api/v1/organisations/{organisation}/keys", "enforcing", 200),
    ("GET", "/api/v1/organisations/{organisation}/keys", "oversight", 200),
    ("GET", "/api/v1/organisations/{organisation}/keys", "europol", 200),
    # denied
    ("GET", "/api/v1/organisations/{organisation}/keys", "anonymous", 401),
    # --- GET /organisations/{id}/recipients (published: everyone who may send evidence reads them) -----
    # allowed
    ("GET", "/api/v1/organisations/{organisation}/recipients", "prosecutor", 200),
    ("GET", "/api/v1/organisations/{organisation}/recipients", "other_authority", 200),
    ("GET", "/api/v1/organisations/{organisation}/recipients", "provider", 200),
    ("GET", "/api/v1/organisations/{organisation}/recipients", "other_provider", 200),
    ("GET", "/api/v1/organisations/{organisation}/recipients", "enforcing", 200),
    ("GET", "/api/v1/organisations/{organisation}/recipients", "oversight", 200),
    ("GET", "/api/v1/organisations/{organisation}/recipients", "europol", 200),
    # denied
    ("GET", "/api/v1/organisations/{organisation}/recipients", "anonymous", 401),
    # --- GET /addressees -------------------------------------------------------------------------------
    # allowed
    ("GET", "/api/v1/addressees", "prosecutor", 200),
    ("GET", "/api/v1/addressees", "other_authority", 200),
    ("GET", "/api/v1/addressees", "provider", 200),
    ("GET", "/api/v1/addressees", "other_provider", 200),
    ("GET", "/api/v1/addressees", "enforcing", 200),
    ("GET", "/api/v1/addressees", "oversight", 200),
    ("GET", "/api/v1/addressees", "europol", 200),
    # denied
    ("GET", "/api/v1/addressees", "anonymous", 401),
    # --- POST /orders (draft) --------------------------------------------------------------------------
    # allowed: any issuing authority drafts its own orders
    ("POST", "/api/v1/orders", "prosecutor", 201),
    ("POST", "/api/v1/orders", "other_authority", 201),
    # denied
    ("POST", "/api/v1/orders", "provider", 403),
    ("POST", "/api/v1/orders", "other_provider", 403),
    ("POST", "/api/v1/orders", "enforcing", 403),
    ("POST", "/api/v1/orders", "oversight", 403),
    ("POST", "/api/v1/orders", "europol", 403),
    ("POST", "/api/v1/orders", "anonymous", 401),
    # --- POST /orders/check (live check, creates nothing) -----------------------------------------------
    # allowed
    ("POST", "/api/v1/orders/check", "prosecutor", 200),
    ("POST", "/api/v1/orders/check", "other_authority", 200),
    # denied
    ("POST", "/api/v1/orders/check", "provider", 403),
    ("POST", "/api/v1/orders/check", "other_provider", 403),
    ("POST", "/api/v1/orders/check", "enforcing", 403),
    ("POST", "/api/v1/orders/check", "oversight", 403),
    ("POST", "/api/v1/orders/check", "europol", 403),
    ("POST", "/api/v1/orders/check", "anonymous", 401),
    # --- POST /orders/{id}/check (re-check a draft) ----------------------------------------------------
    # allowed
    ("POST", "/api/v1/orders/{draft}/check", "prosecutor", 200),
    # denied
    ("POST", "/api/v1/orders/{draft}/check", "other_authority", 404),
    ("POST", "/api/v1/orders/{draft}/check", "provider", 403),
    ("POST", "/api/v1/orders/{draft}/check", "other_provider", 403),
    ("POST", "/api/v1/orders/{draft}/check", "enforcing", 403),
    ("POST", "/api/v1/orders/{draft}/check", "oversight", 403),
    ("POST", "/api/v1/orders/{draft}/check", "europol", 403),
    ("POST", "/api/v1/orders/{draft}/check", "anonymous", 401),
    # --- GET /orders (what each one lists is in test_each_party_lists_only_the_orders_it_may_see) -------
    # allowed
    ("GET", "/api/v1/orders", "prosecutor", 200),
    ("GET", "/api/v1/orders", "other_authority", 200),
    ("GET", "/api/v1/orders", "provider", 200),
    ("GET", "/api/v1/orders", "other_provider", 200),
    ("GET", "/api/v1/orders", "enforcing", 200),
    ("GET", "/api/v1/orders", "oversight", 200),
    ("GET", "/api/v1/orders", "europol", 200),
    # denied
    ("GET", "/api/v1/orders", "anonymous", 401),
    # --- GET /orders/{id} ------------------------------------------------------------------------------
    # allowed
    ("GET", "/api/v1/orders/{issued}", "prosecutor", 200),
    ("GET", "/api/v1/orders/{issued}", "provider", 200),
    ("GET", "/api/v1/orders/{issued}", "oversight", 200),
    # denied
    ("GET", "/api/v1/orders/{issued}", "other_authority", 404),
    ("GET", "/api/v1/orders/{issued}", "other_provider", 404),
    ("GET", "/api/v1/orders/{issued}", "enforcing", 404),
    ("GET", "/api/v1/orders/{issued}", "europol", 404),
    ("GET", "/api/v1/orders/{issued}", "anonymous", 401),
    # --- POST /orders/{id}/issue -----------------------------------------------------------------------
    # allowed
    ("POST", "/api/v1/orders/{draft}/issue", "prosecutor", 200),
    # denied
    ("POST", "/api/v1/orders/{draft}/issue", "other_authority", 404),
    ("POST", "/api/v1/orders/{draft}/issue", "provider", 403),
    ("POST", "/api/v1/orders/{draft}/issue", "other_provider", 403),
    ("POST", "/api/v1/orders/{draft}/issue", "enforcing", 403),
    ("POST", "/api/v1/orders/{draft}/issue", "oversight", 403),
    ("POST", "/api/v1/orders/{draft}/issue", "europol", 403),
    ("POST", "/api/v1/orders/{draft}/issue", "anonymous", 401),
    # --- GET /inbox (every party's open orders) ---------------------------------------------------------
    # allowed
    ("GET", "/api/v1/inbox", "prosecutor", 200),
    ("GET", "/api/v1/inbox", "other_authority", 200),
    ("GET", "/api/v1/inbox", "provider", 200),
    ("GET", "/api/v1/inbox", "other_provider", 200),
    ("GET", "/api/v1/inbox", "enforcing", 200),
    # denied: oversight bodies read orders, they have no inbox of their own
    ("GET", "/api/v1/inbox", "oversight", 403),
    ("GET", "/api/v1/inbox", "europol", 403),
    ("GET", "/api/v1/inbox", "anonymous", 401),
    # --- POST /orders/{id}/receive ---------------------------------------------------------------------
    # allowed
    ("POST", "/api/v1/orders/{issued}/receive", "provider", 200),
    # denied
    ("POST", "/api/v1/orders/{issued}/receive", "other_provider", 404),
    ("POST", "/api/v1/orders/{issued}/receive", "prosecutor", 403),
    ("POST", "/api/v1/orders/{issued}/receive", "other_authority", 403),
    # An enforcing authority takes delivery only of the orders it serves (CETS 224 Art. 8, 9): it does not
    # see this one (tests/lifecycle/test_lifecycle_routes.py has those it may take and serve).
    ("POST", "/api/v1/orders/{issued}/receive", "enforcing", 404),
    ("POST", "/api/v1/orders/{issued}/receive", "oversight", 403),
    ("POST", "/api/v1/orders/{issued}/receive", "europol", 403),
    ("POST", "/api/v1/orders/{issued}/receive", "anonymous", 401),
    # --- POST /orders/{id}/serve -----------------------------------------------------------------------
    # Only the authority of an order's route serves it (allowed: tests/lifecycle/test_lifecycle_routes.py);
    # nobody serves an order of the Regulation, which goes to the provider directly.
    # denied
    ("POST", "/api/v1/orders/{issued}/serve", "prosecutor", 403),
    ("POST", "/api/v1/orders/{issued}/serve", "other_authority", 403),
    ("POST", "/api/v1/orders/{issued}/serve", "provider", 403),
    ("POST", "/api/v1/orders/{issued}/serve", "other_provider", 403),
    ("POST", "/api/v1/orders/{issued}/serve", "enforcing", 404),
    ("POST", "/api/v1/orders/{issued}/serve", "oversight", 403),
    ("POST", "/api/v1/orders/{issued}/serve", "europol", 403),
    ("POST", "/api/v1/orders/{issued}/serve", "anonymous", 401),
    # --- POST /orders/{id}/responses -------------------------------------------------------------------
    # allowed
    ("POST", "/api/v1/orders/{received}/responses", "provider", 201),
    # denied
    ("POST", "/api/v1/orders/{received}/responses", "other_provider", 404),
    ("POST", "/api/v1/orders/{received}/responses", "prosecutor", 403),
    ("POST", "/api/v1/orders/{received}/responses", "other_authority", 404),
    ("POST", "/api/v1/orders/{received}/responses", "enforcing", 404),
    ("POST", "/api/v1/orders/{received}/responses", "oversight", 403),
    ("POST", "/api/v1/orders/{received}/responses", "europol", 404),
    ("POST", "/api/v1/orders/{received}/responses", "anonymous", 401),
    # --- POST /orders/{id}/messages (withdrawal from the issuer, acknowledgement from the addressee) ----
    # allowed
    ("POST", "/api/v1/orders/{received}/messages", "prosecutor", 201),
    ("POST", "/api/v1/orders/{received}/messages", "provider", 201),
    # denied: strangers do not see the order; oversight sees it but is no party to it
    ("POST", "/api/v1/orders/{received}/messages", "other_authority", 404),
    ("POST", "/api/v1/orders/{received}/messages", "other_provider", 404),
    ("POST", "/api/v1/orders/{received}/messages", "enforcing", 404),
    ("POST", "/api/v1/orders/{received}/messages", "oversight", 403),
    ("POST", "/api/v1/orders/{received}/messages", "europol", 404),
    ("POST", "/api/v1/orders/{received}/messages", "anonymous", 401),
    # --- POST /orders/{id}/evidence (announce a package: the addressee) -------------------------------
    # allowed
    ("POST", "/api/v1/orders/{received}/evidence", "provider", 201),
    # denied
    ("POST", "/api/v1/orders/{received}/evidence", "other_provider", 404),
    ("POST", "/api/v1/orders/{received}/evidence", "prosecutor", 403),
    ("POST", "/api/v1/orders/{received}/evidence", "other_authority", 403),
    ("POST", "/api/v1/orders/{received}/evidence", "enforcing", 403),
    ("POST", "/api/v1/orders/{received}/evidence", "oversight", 403),
    ("POST", "/api/v1/orders/{received}/evidence", "europol", 403),
    ("POST", "/api/v1/orders/{received}/evidence", "anonymous", 401),
    # --- GET /orders/{id}/evidence (the issuer sees sealed packages only; see test_evidence_api) -------
    # allowed
    ("GET", "/api/v1/orders/{received}/evidence", "prosecutor", 200),
    ("GET", "/api/v1/orders/{received}/evidence", "provider", 200),
    ("GET", "/api/v1/orders/{received}/evidence", "oversight", 200),
    # denied
    ("GET", "/api/v1/orders/{received}/evidence", "other_authority", 404),
    ("GET", "/api/v1/orders/{received}/evidence", "other_provider", 404),
    ("GET", "/api/v1/orders/{received}/evidence", "enforcing", 404),
    ("GET", "/api/v1/orders/{received}/evidence", "europol", 404),
    ("GET", "/api/v1/orders/{received}/evidence", "anonymous", 401),
    # --- GET /orders/{id}/evidence/{package} ({sealed}: a package the provider's manifest sealed) ------
    # allowed
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}", "prosecutor", 200),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}", "provider", 200),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}", "oversight", 200),
    # denied
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}", "other_authority", 404),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}", "other_provider", 404),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}", "enforcing", 404),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}", "europol", 404),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}", "anonymous", 401),
    # --- DELETE /orders/{id}/evidence/{package} (abort; {uploading}: every chunk in, not completed) ----
    # allowed
    ("DELETE", "/api/v1/orders/{received}/evidence/{uploading}", "provider", 200),
    # denied
    ("DELETE", "/api/v1/orders/{received}/evidence/{uploading}", "other_provider", 404),
    ("DELETE", "/api/v1/orders/{received}/evidence/{uploading}", "prosecutor", 403),
    ("DELETE", "/api/v1/orders/{received}/evidence/{uploading}", "other_authority", 403),
    ("DELETE", "/api/v1/orders/{received}/evidence/{uploading}", "enforcing", 403),
    ("DELETE", "/api/v1/orders/{received}/evidence/{uploading}", "oversight", 403),
    ("DELETE", "/api/v1/orders/{received}/evidence/{uploading}", "europol", 403),
    ("DELETE", "/api/v1/orders/{received}/evidence/{uploading}", "anonymous", 401),
    # --- PUT /orders/{id}/evidence/{package}/chunks/{index} (the addressee) ----------------------------
    # allowed
    ("PUT", "/api/v1/orders/{received}/evidence/{uploading}/chunks/0", "provider", 200),
    # denied
    ("PUT", "/api/v1/orders/{received}/evidence/{uploading}/chunks/0", "other_provider", 404),
    ("PUT", "/api/v1/orders/{received}/evidence/{uploading}/chunks/0", "prosecutor", 403),
    ("PUT", "/api/v1/orders/{received}/evidence/{uploading}/chunks/0", "other_authority", 403),
    ("PUT", "/api/v1/orders/{received}/evidence/{uploading}/chunks/0", "enforcing", 403),
    ("PUT", "/api/v1/orders/{received}/evidence/{uploading}/chunks/0", "oversight", 403),
    ("PUT", "/api/v1/orders/{received}/evidence/{uploading}/chunks/0", "europol", 403),
    ("PUT", "/api/v1/orders/{received}/evidence/{uploading}/chunks/0", "anonymous", 401),
    # --- POST /orders/{id}/evidence/{package}/complete (the addressee) ---------------------------------
    # allowed
    ("POST", "/api/v1/orders/{received}/evidence/{uploading}/complete", "provider", 200),
    # denied
    ("POST", "/api/v1/orders/{received}/evidence/{uploading}/complete", "other_provider", 404),
    ("POST", "/api/v1/orders/{received}/evidence/{uploading}/complete", "prosecutor", 403),
    ("POST", "/api/v1/orders/{received}/evidence/{uploading}/complete", "other_authority", 403),
    ("POST", "/api/v1/orders/{received}/evidence/{uploading}/complete", "enforcing", 403),
    ("POST", "/api/v1/orders/{received}/evidence/{uploading}/complete", "oversight", 403),
    ("POST", "/api/v1/orders/{received}/evidence/{uploading}/complete", "europol", 403),
    ("POST", "/api/v1/orders/{received}/evidence/{uploading}/complete", "anonymous", 401),
    # --- GET /orders/{id}/evidence/{package}/content (the ciphertext: the issuing authority only) ------
    # allowed
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}/content", "prosecutor", 200),
    # denied: those who see the order see the package, but never get its bytes
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}/content", "other_authority", 404),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}/content", "provider", 403),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}/content", "other_provider", 403),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}/content", "enforcing", 403),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}/content", "oversight", 403),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}/content", "europol", 403),
    ("GET", "/api/v1/orders/{received}/evidence/{sealed}/content", "anonymous", 401),
    # --- POST /orders/{id}/evidence/{package}/decryption-report (the issuing authority) ----------------
    # allowed
    ("POST", "/api/v1/orders/{received}/evidence/{sealed}/decryption-report", "prosecutor", 200),
    # denied
    ("POST", "/api/v1/orders/{received}/evidence/{sealed}/decryption-report", "other_authority", 404),
    ("POST", "/api/v1/orders/{received}/evidence/{sealed}/decryption-report", "provider", 403),
    ("POST", "/api/v1/orders/{received}/evidence/{sealed}/decryption-report", "other_provider", 403),
    ("POST", "/api/v1/orders/{received}/evidence/{sealed}/decryption-report", "enforcing", 403),
    ("POST", "/api/v1/orders/{received}/evidence/{sealed}/decryption-report", "oversight", 403),
    ("POST", "/api/v1/orders/{received}/evidence/{sealed}/decryption-report", "europol", 403),
    ("POST", "/api/v1/orders/{received}/evidence/{sealed}/decryption-report", "anonymous", 401),
    # --- GET /orders/{id}/pdf (a read of the order, as GET /orders/{id}: the same rule, the same log entry)
    # allowed
    ("GET", "/api/v1/orders/{issued}/pdf", "prosecutor", 200),
    ("GET", "/api/v1/orders/{issued}/pdf", "provider", 200),
    ("GET", "/api/v1/orders/{issued}/pdf", "oversight", 200),
    # denied
    ("GET", "/api/v1/orders/{issued}/pdf", "other_authority", 404),
    ("GET", "/api/v1/orders/{issued}/pdf", "other_provider", 404),
    ("GET", "/api/v1/orders/{issued}/pdf", "enforcing", 404),
    ("GET", "/api/v1/orders/{issued}/pdf", "europol", 404),
    ("GET", "/api/v1/orders/{issued}/pdf", "anonymous", 401),
    # --- GET /orders/{id}/messages/{message}/pdf (any of the order's messages: the order's rule) -------
    # allowed
    ("GET", "/api/v1/orders/{issued}/messages/{message}/pdf", "prosecutor", 200),
    ("GET", "/api/v1/orders/{issued}/messages/{message}/pdf", "provider", 200),
    ("GET", "/api/v1/orders/{issued}/messages/{message}/pdf", "oversight", 200),
    # denied
    ("GET", "/api/v1/orders/{issued}/messages/{message}/pdf", "other_authority", 404),
    ("GET", "/api/v1/orders/{issued}/messages/{message}/pdf", "other_provider", 404),
    ("GET", "/api/v1/orders/{issued}/messages/{message}/pdf", "enforcing", 404),
    ("GET", "/api/v1/orders/{issued}/messages/{message}/pdf", "europol", 404),
    ("GET", "/api/v1/orders/{issued}/messages/{message}/pdf", "anonymous", 401),
    # --- GET /certificates/seal-certificate (public material: every verifier needs it) -----------------
    # allowed
    ("GET", "/api/v1/certificates/seal-certificate", "prosecutor", 200),
    ("GET", "/api/v1/certificates/seal-certificate", "other_authority", 200),
    ("GET", "/api/v1/certificates/seal-certificate", "provider", 200),
    ("GET", "/api/v1/certificates/seal-certificate", "other_provider", 200),
    ("GET", "/api/v1/certificates/seal-certificate", "enforcing", 200),
    ("GET", "/api/v1/certificates/seal-certificate", "oversight", 200),
    ("GET", "/api/v1/certificates/seal-certificate", "europol", 200),
    # denied
    ("GET", "/api/v1/certificates/seal-certificate", "anonymous", 401),
    # --- POST /certificates/verify (anyone with a token checks a PDF it was sent; it reads no order) ---
    # allowed
    ("POST", "/api/v1/certificates/verify", "prosecutor", 200),
    ("POST", "/api/v1/certificates/verify", "other_authority", 200),
    ("POST", "/api/v1/certificates/verify", "provider", 200),
    ("POST", "/api/v1/certificates/verify", "other_provider", 200),
    ("POST", "/api/v1/certificates/verify", "enforcing", 200),
    ("POST", "/api/v1/certificates/verify", "oversight", 200),
    ("POST", "/api/v1/certificates/verify", "europol", 200),
    # denied
    ("POST", "/api/v1/certificates/verify", "anonymous", 401),
    # --- POST /etsi/hi1 (GET of {issued}: an HI-1 answer to every party, the object only to those who
    # may see the order, an ErrorInformation to the others; see test_access) ------------------------
    # allowed
    ("POST", "/api/v1/etsi/hi1", "prosecutor", 200),
    ("POST", "/api/v1/etsi/hi1", "other_authority", 200),
    ("POST", "/api/v1/etsi/hi1", "provider", 200),
    ("POST", "/api/v1/etsi/hi1", "other_provider", 200),
    ("POST", "/api/v1/etsi/hi1", "enforcing", 200),
    ("POST", "/api/v1/etsi/hi1", "oversight", 200),
    ("POST", "/api/v1/etsi/hi1", "europol", 200),
    # denied
    ("POST", "/api/v1/etsi/hi1", "anonymous", 401),
    # --- GET /orders/{id}/form (the certificate as RI form XML: a read of the order) -------------------
    # allowed
    ("GET", "/api/v1/orders/{issued}/form", "prosecutor", 200),
    ("GET", "/api/v1/orders/{issued}/form", "provider", 200),
    ("GET", "/api/v1/orders/{issued}/form", "oversight", 200),
    # denied
    ("GET", "/api/v1/orders/{issued}/form", "other_authority", 404),
    ("GET", "/api/v1/orders/{issued}/form", "other_provider", 404),
    ("GET", "/api/v1/orders/{issued}/form", "enforcing", 404),
    ("GET", "/api/v1/orders/{issued}/form", "europol", 404),
    ("GET", "/api/v1/orders/{issued}/form", "anonymous", 401),
    # --- POST /orders/form (a draft from an RI form: as POST /orders, the caller's own draft) ----------
    # allowed
    ("POST", "/api/v1/orders/form", "prosecutor", 201),
    ("POST", "/api/v1/orders/form", "other_authority", 201),
    # denied
    ("POST", "/api/v1/orders/form", "provider", 403),
    ("POST", "/api/v1/orders/form", "other_provider", 403),
    ("POST", "/api/v1/orders/form", "enforcing", 403),
    ("POST", "/api/v1/orders/form", "oversight", 403),
    ("POST", "/api/v1/orders/form", "europol", 403),
    ("POST", "/api/v1/orders/form", "anonymous", 401),
    # --- GET /orders/{id}/timeline ---------------------------------------------------------------------
    # allowed
    ("GET", "/api/v1/orders/{issued}/timeline", "prosecutor", 200),
    ("GET", "/api/v1/orders/{issued}/timeline", "provider", 200),
    ("GET", "/api/v1/orders/{issued}/timeline", "oversight", 200),
    # denied
    ("GET", "/api/v1/orders/{issued}/timeline", "other_authority", 404),
    ("GET", "/api/v1/orders/{issued}/timeline", "other_provider", 404),
    ("GET", "/api/v1/orders/{issued}/timeline", "enforcing", 404),
    ("GET", "/api/v1/orders/{issued}/timeline", "europol", 404),
    ("GET", "/api/v1/orders/{issued}/timeline", "anonymous", 401),
    # --- GET /audit/key ----------------------------------------------------------------------------
    # allowed
    ("GET", "/api/v1/audit/key", "prosecutor", 200),
    ("GET", "/api/v1/audit/key", "other_authority", 200),
    ("GET", "/api/v1/audit/key", "provider", 200),
    ("GET", "/api/v1/audit/key", "other_provider", 200),
    ("GET", "/api/v1/audit/key", "enforcing", 200),
    ("GET", "/api/v1/audit/key", "oversight", 200),
    ("GET", "/api/v1/audit/key", "europol", 200),
    # denied
    ("GET", "/api/v1/audit/key", "anonymous", 401),
    # --- GET /audit/checkpoints --------------------------------------------------------------------
    # allowed
    ("GET", "/api/v1/audit/checkpoints", "prosecutor", 200),
    ("GET", "/api/v1/audit/checkpoints", "other_authority", 200),
    ("GET", "/api/v1/audit/checkpoints", "provider", 200),
    ("GET", "/api/v1/audit/checkpoints", "other_provider", 200),
    ("GET", "/api/v1/audit/checkpoints", "enforcing", 200),
    ("GET", "/api/v1/audit/checkpoints", "oversight", 200),
    ("GET", "/api/v1/audit/checkpoints", "europol", 200),
    # denied
    ("GET", "/api/v1/audit/checkpoints", "anonymous", 401),
    # --- GET /audit/checkpoints/latest -------------------------------------------------------------
    # allowed
    ("GET", "/api/v1/audit/checkpoints/latest", "prosecutor", 200),
    ("GET", "/api/v1/audit/checkpoints/latest", "other_authority", 200),
    ("GET", "/api/v1/audit/checkpoints/latest", "provider", 200),
    ("GET", "/api/v1/audit/checkpoints/latest", "other_provider", 200),
    ("GET", "/api/v1/audit/checkpoints/latest", "enforcing", 200),
    ("GET", "/api/v1/audit/checkpoints/latest", "oversight", 200),
    ("GET", "/api/v1/audit/checkpoints/latest", "europol", 200),
    # denied
    ("GET", "/api/v1/audit/checkpoints/latest", "anonymous", 401),
    # --- POST /audit/checkpoints (oversight only) ---
    # allowed
    ("POST", "/api/v1/audit/checkpoints", "oversight", 201),
    # denied
    ("POST", "/api/v1/audit/checkpoints", "prosecutor", 403),
    ("POST", "/api/v1/audit/checkpoints", "other_authority", 403),
    ("POST", "/api/v1/audit/checkpoints", "provider", 403),
    ("POST", "/api/v1/audit/checkpoints", "other_provider", 403),
    ("POST", "/api/v1/audit/checkpoints", "enforcing", 403),
    ("POST", "/api/v1/audit/checkpoints", "europol", 403),
    ("POST", "/api/v1/audit/checkpoints", "anonymous", 401),
    # --- GET /audit/entries (oversight only) ---
    # allowed
    ("GET", "/api/v1/audit/entries", "oversight", 200),
    # denied
    ("GET", "/api/v1/audit/entries", "prosecutor", 403),
    ("GET", "/api/v1/audit/entries", "other_authority", 403),
    ("GET", "/api/v1/audit/entries", "provider", 403),
    ("GET", "/api/v1/audit/entries", "other_provider", 403),
    ("GET", "/api/v1/audit/entries", "enforcing", 403),
    ("GET", "/api/v1/audit/entries", "europol", 403),
    ("GET", "/api/v1/audit/entries", "anonymous", 401),
    # --- GET /audit/entries/{entry} (oversight only) ---
    # allowed
    ("GET", "/api/v1/audit/entries/{entry}", "oversight", 200),
    # denied
    ("GET", "/api/v1/audit/entries/{entry}", "prosecutor", 403),
    ("GET", "/api/v1/audit/entries/{entry}", "other_authority", 403),
    ("GET", "/api/v1/audit/entries/{entry}", "provider", 403),
    ("GET", "/api/v1/audit/entries/{entry}", "other_provider", 403),
    ("GET", "/api/v1/audit/entries/{entry}", "enforcing", 403),
    ("GET", "/api/v1/audit/entries/{entry}", "europol", 403),
    ("GET", "/api/v1/audit/entries/{entry}", "anonymous", 401),
    # --- GET /audit/proofs/inclusion?index=0&size=1 (oversight only) ---
    # allowed
    ("GET", "/api/v1/audit/proofs/inclusion?index=0&size=1", "oversight", 200),
    # denied
    ("GET", "/api/v1/audit/proofs/inclusion?index=0&size=1", "prosecutor", 403),
    ("GET", "/api/v1/audit/proofs/inclusion?index=0&size=1", "other_authority", 403),
    ("GET", "/api/v1/audit/proofs/inclusion?index=0&size=1", "provider", 403),
    ("GET", "/api/v1/audit/proofs/inclusion?index=0&size=1", "other_provider", 403),
    ("GET", "/api/v1/audit/proofs/inclusion?index=0&size=1", "enforcing", 403),
    ("GET", "/api/v1/audit/proofs/inclusion?index=0&size=1", "europol", 403),
    ("GET", "/api/v1/audit/proofs/inclusion?index=0&size=1", "anonymous", 401),
    # --- GET /audit/proofs/consistency?old_size=1&new_size=2 (oversight only) ---
    # allowed
    ("GET", "/api/v1/audit/proofs/consistency?old_size=1&new_size=2", "oversight", 200),
    # denied
    ("GET", "/api/v1/audit/proofs/consistency?old_size=1&new_size=2", "prosecutor", 403),
    ("GET", "/api/v1/audit/proofs/consistency?old_size=1&new_size=2", "other_authority", 403),
    ("GET", "/api/v1/audit/proofs/consistency?old_size=1&new_size=2", "provider", 403),
    ("GET", "/api/v1/audit/proofs/consistency?old_size=1&new_size=2", "other_provider", 403),
    ("GET", "/api/v1/audit/proofs/consistency?old_size=1&new_size=2", "enforcing", 403),
    ("GET", "/api/v1/audit/proofs/consistency?old_size=1&new_size=2", "europol", 403),
    ("GET", "/api/v1/audit/proofs/consistency?old_size=1&new_size=2", "anonymous", 401),
    # --- GET /audit/orders/{issued}/case-file (oversight only) ---
    # allowed
    ("GET", "/api/v1/audit/orders/{issued}/case-file", "oversight", 200),
    # denied
    ("GET", "/api/v1/audit/orders/{issued}/case-file", "prosecutor", 403),
    ("GET", "/api/v1/audit/orders/{issued}/case-file", "other_authority", 403),
    ("GET", "/api/v1/audit/orders/{issued}/case-file", "provider", 403),
    ("GET", "/api/v1/audit/orders/{issued}/case-file", "other_provider", 403),
    ("GET", "/api/v1/audit/orders/{issued}/case-file", "enforcing", 403),
    ("GET", "/api/v1/audit/orders/{issued}/case-file", "europol", 403),
    ("GET", "/api/v1/audit/orders/{issued}/case-file", "anonymous", 401),
    # --- POST /webhooks (any non-auditor user, for its own organisation) ---
    # allowed
    ("POST", "/api/v1/webhooks", "prosecutor", 201),
    ("POST", "/api/v1/webhooks", "other_authority", 201),
    ("POST", "/api/v1/webhooks", "provider", 201),
    ("POST", "/api/v1/webhooks", "other_provider", 201),
    ("POST", "/api/v1/webhooks", "enforcing", 201),
    ("POST", "/api/v1/webhooks", "europol", 201),
    # denied
    ("POST", "/api/v1/webhooks", "oversight", 403),
    ("POST", "/api/v1/webhooks", "anonymous", 401),
    # --- GET /webhooks (each its own organisation's) ---
    # allowed
    ("GET", "/api/v1/webhooks", "prosecutor", 200),
    ("GET", "/api/v1/webhooks", "other_authority", 200),
    ("GET", "/api/v1/webhooks", "provider", 200),
    ("GET", "/api/v1/webhooks", "other_provider", 200),
    ("GET", "/api/v1/webhooks", "enforcing", 200),
    ("GET", "/api/v1/webhooks", "oversight", 200),
    ("GET", "/api/v1/webhooks", "europol", 200),
    # denied
    ("GET", "/api/v1/webhooks", "anonymous", 401),
    # --- DELETE /webhooks/{webhook} ({webhook} is Example Mail's endpoint) ---
    # allowed
    ("DELETE", "/api/v1/webhooks/{webhook}", "provider", 200),
    # denied
    ("DELETE", "/api/v1/webhooks/{webhook}", "prosecutor", 404),
    ("DELETE", "/api/v1/webhooks/{webhook}", "other_authority", 404),
    ("DELETE", "/api/v1/webhooks/{webhook}", "other_provider", 404),
    ("DELETE", "/api/v1/webhooks/{webhook}", "enforcing", 404),
    ("DELETE", "/api/v1/webhooks/{webhook}", "oversight", 403),
    ("DELETE", "/api/v1/webhooks/{webhook}", "europol", 404),
    ("DELETE", "/api/v1/webhooks/{webhook}", "anonymous", 401),
    # --- GET /webhooks/deliveries (each its own organisation's) ---
    # allowed
    ("GET", "/api/v1/webhooks/deliveries", "prosecutor", 200),
    ("GET", "/api/v1/webhooks/deliveries", "other_authority", 200),
    ("GET", "/api/v1/webhooks/deliveries", "provider", 200),
    ("GET", "/api/v1/webhooks/deliveries", "other_provider", 200),
    ("GET", "/api/v1/webhooks/deliveries", "enforcing", 200),
    ("GET", "/api/v1/webhooks/deliveries", "oversight", 200),
    ("GET", "/api/v1/webhooks/deliveries", "europol", 200),
    # denied
    ("GET", "/api/v1/webhooks/deliveries", "anonymous", 401),
    # --- GET /webhooks/signing-key ---
    # allowed
    ("GET", "/api/v1/webhooks/signing-key", "prosecutor", 200),
    ("GET", "/api/v1/webhooks/signing-key", "other_authority", 200),
    ("GET", "/api/v1/webhooks/signing-key", "provider", 200),
    ("GET", "/api/v1/webhooks/signing-key", "other_provider", 200),
    ("GET", "/api/v1/webhooks/signing-key", "enforcing", 200),
    ("GET", "/api/v1/webhooks/signing-key", "oversight", 200),
    ("GET", "/api/v1/webhooks/signing-key", "europol", 200),
    # denied
    ("GET", "/api/v1/webhooks/signing-key", "anonymous", 401),
    # --- GET /reports/art28 (oversight: any State; an issuing authority: its own, FR here) ---
    # allowed
    ("GET", "/api/v1/reports/art28?year=2026", "prosecutor", 200),
    ("GET", "/api/v1/reports/art28?year=2026", "other_authority", 200),
    ("GET", "/api/v1/reports/art28?year=2026", "oversight", 200),
    # denied
    ("GET", "/api/v1/reports/art28?year=2026", "provider", 403),
    ("GET", "/api/v1/reports/art28?year=2026", "other_provider", 403),
    ("GET", "/api/v1/reports/art28?year=2026", "enforcing", 403),
    ("GET", "/api/v1/reports/art28?year=2026", "europol", 403),
    ("GET", "/api/v1/reports/art28?year=2026", "anonymous", 401),
    # --- GET /reports/transparency of Example Mail (the provider itself, or oversight) ---
    # allowed
    ("GET", "/api/v1/reports/transparency?year=2026&provider={organisation}", "provider", 200),
    ("GET", "/api/v1/reports/transparency?year=2026&provider={organisation}", "oversight", 200),
    # denied
    ("GET", "/api/v1/reports/transparency?year=2026&provider={organisation}", "other_provider", 403),
    ("GET", "/api/v1/reports/transparency?year=2026&provider={organisation}", "prosecutor", 403),
    ("GET", "/api/v1/reports/transparency?year=2026&provider={organisation}", "other_authority", 403),
    ("GET", "/api/v1/reports/transparency?year=2026&provider={organisation}", "enforcing", 403),
    ("GET", "/api/v1/reports/transparency?year=2026&provider={organisation}", "europol", 403),
    ("GET", "/api/v1/reports/transparency?year=2026&provider={organisation}", "anonymous", 401),
    # --- POST /removal-notices (Regulation (EU) 2021/784, Art. 3(2): an authority records its own) ---
    # allowed
    ("POST", "/api/v1/removal-notices", "prosecutor", 201),
    ("POST", "/api/v1/removal-notices", "other_authority", 201),
    # denied
    ("POST", "/api/v1/removal-notices", "provider", 403),
    ("POST", "/api/v1/removal-notices", "other_provider", 403),
    ("POST", "/api/v1/removal-notices", "enforcing", 403),
    ("POST", "/api/v1/removal-notices", "oversight", 403),
    ("POST", "/api/v1/removal-notices", "europol", 403),
    ("POST", "/api/v1/removal-notices", "anonymous", 401),
    # --- GET /removal-notices (each party reads its own: given, or given to it; oversight all) ---
    # allowed
    ("GET", "/api/v1/removal-notices", "prosecutor", 200),
    ("GET", "/api/v1/removal-notices", "other_authority", 200),
    ("GET", "/api/v1/removal-notices", "provider", 200),
    ("GET", "/api/v1/removal-notices", "other_provider", 200),
    ("GET", "/api/v1/removal-notices", "enforcing", 200),
    ("GET", "/api/v1/removal-notices", "oversight", 200),
    ("GET", "/api/v1/removal-notices", "europol", 200),
    # denied
    ("GET", "/api/v1/removal-notices", "anonymous", 401),
    # --- POST /threat-notifications (Regulation (EU) 2022/2065, Art. 18: a provider notifies) -----------
    # allowed: Example Mail, to the Parquet de Paris (France concerned)
    ("POST", "/api/v1/threat-notifications", "provider", 201),
    ("POST", "/api/v1/threat-notifications", "other_provider", 201),
    # denied: only providers notify
    ("POST", "/api/v1/threat-notifications", "prosecutor", 403),
    ("POST", "/api/v1/threat-notifications", "other_authority", 403),
    ("POST", "/api/v1/threat-notifications", "enforcing", 403),
    ("POST", "/api/v1/threat-notifications", "oversight", 403),
    ("POST", "/api/v1/threat-notifications", "europol", 403),
    ("POST", "/api/v1/threat-notifications", "anonymous", 401),
    # --- GET /threat-notifications (the recipient's, the provider's own, oversight all; others none) ----
    ("GET", "/api/v1/threat-notifications", "prosecutor", 200),
    ("GET", "/api/v1/threat-notifications", "other_authority", 200),
    ("GET", "/api/v1/threat-notifications", "provider", 200),
    ("GET", "/api/v1/threat-notifications", "other_provider", 200),
    ("GET", "/api/v1/threat-notifications", "enforcing", 200),
    ("GET", "/api/v1/threat-notifications", "oversight", 200),
    ("GET", "/api/v1/threat-notifications", "europol", 200),
    ("GET", "/api/v1/threat-notifications", "anonymous", 401),
    # --- GET /threat-notifications/{threat}: Example Mail's notification to the Parquet de Paris -------
    # allowed
    ("GET", "/api/v1/threat-notifications/{threat}", "prosecutor", 200),
    ("GET", "/api/v1/threat-notifications/{threat}", "provider", 200),
    ("GET", "/api/v1/threat-notifications/{threat}", "oversight", 200),
    # denied: not sent by or to them
    ("GET", "/api/v1/threat-notifications/{threat}", "other_authority", 404),
    ("GET", "/api/v1/threat-notifications/{threat}", "other_provider", 404),
    ("GET", "/api/v1/threat-notifications/{threat}", "enforcing", 404),
    ("GET", "/api/v1/threat-notifications/{threat}", "europol", 404),
    ("GET", "/api/v1/threat-notifications/{threat}", "anonymous", 401),
]

DENIED = {401: "unauthenticated", 403: "forbidden", 404: "not-found"}
# Who may see {issued}: the HI-1 door answers them its object, and the others an ErrorInformation.
SEES_ISSUED = {who for _, path, who, status in ACCESS if path == "/api/v1/orders/{issued}" and status == 200}
WEBHOOK = "https://hooks.example.test/broker"
# Stands in for an age file: the broker never decrypts, it only stores, measures and hands over bytes.
PACKAGE = b"age-encryption.org/v1\n" + bytes(range(256)) * 5


def content_digest(data: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(data).digest()).decode()}:"


@pytest.fixture
def orders(exchange, app, database, clock) -> dict[str, dict[str, Any]]:
    """One order of the prosecutor's in each state a step starts from, and a signed checkpoint."""

    def made() -> dict[str, dict[str, Any]]:
        draft = exchange.draft()
        issued = exchange.issue(exchange.draft())
        received = exchange.receive(exchange.issue(exchange.draft()))
        with database.transaction() as session:
            services = app.extensions["broker"]
            audit_operations.sign_checkpoint(session, services.clock, services.log_signer)
        return {"draft": draft, "issued": issued, "received": received}

    return remember(database, clock, ("access orders",), made)


class Packages:
    """Evidence packages on the received order, made as Example Mail would, when a row needs one."""

    def __init__(self, client, network, database, clock, received: dict[str, Any]) -> None:
        self.client, self.network, self.database, self.clock = client, network, database, clock
        self.received = received
        self.made: dict[str, dict[str, Any]] = {}

    def __getitem__(self, name: str) -> dict[str, Any]:
        if name not in self.made:
            self.made[name] = self.uploading() if name == "uploading" else self.sealed()
        return self.made[name]

    def path(self, package: dict[str, Any] | None = None) -> str:
        path = f"/api/v1/orders/{self.received['id']}/evidence"
        return f"{path}/{package['id']}" if package else path

    @staticmethod
    def chunks(package: dict[str, Any]) -> list[bytes]:
        size = package["chunk_size"]
        return [PACKAGE[start : start + size] for start in range(0, len(PACKAGE), size)]

    def uploading(self) -> dict[str, Any]:
        """Every chunk received, not completed yet: a chunk may be re-sent, the upload completed or aborted."""
        headers = self.network["provider"].headers
        body = {
            "file_name": "mailbox.mbox.age",
            "size": len(PACKAGE),
            "sha256": hashlib.sha256(PACKAGE).hexdigest(),
        }
        package = self.client.post(self.path(), json=body, headers=headers).get_json()
        assert package["chunk_count"] > 1, "the package is cut into several chunks"
        for index, chunk in enumerate(self.chunks(package)):
            sent = self.client.put(
                f"{self.path(package)}/chunks/{index}",
                data=chunk,
                headers={**headers, "Content-Digest": content_digest(chunk)},
            )
            assert sent.status_code == 200, sent.get_json()
        return package

    def sealed(self) -> dict[str, Any]:
        """Completed and named in Example Mail's signed manifest, to the prosecutor's published recipient."""
        package = self.uploading()
        completed = self.client.post(
            f"{self.path(package)}/complete", headers=self.network["provider"].headers
        )
        assert completed.status_code == 200, completed.get_json()
        recipient = str(pyrage.x25519.Identity.generate().to_public())
        with self.database.transaction() as session:
            office = session.get_one(Organisation, uuid.UUID(self.network["prosecutor"].organisation_id))
            operations.register_recipient(session, self.clock, organisation=office, recipient=recipient)
        certificate = self.received["certificate"]
        manifest = {
            "data_categories": certificate["data_categories"],
            "time_range": certificate["time_range"],
            "recipient": recipient,
            "files": [
                {
                    "name": "mailbox.mbox",
                    "size": 1,
                    "sha256": hashlib.sha256(b"x").hexdigest(),
                    "package": {
                        "id": package["id"],
                        "size": len(PACKAGE),
                        "sha256": hashlib.sha256(PACKAGE).hexdigest(),
                    },
                }
            ],
        }
        jws = self.network["provider"].sign(
            "evidence-manifest",
            manifest,
            self.received["issuing_authority"]["id"],
            in_reply_to=self.received["messages"][0]["id"],
        )
        sealed = self.client.post(
            f"/api/v1/orders/{self.received['id']}/messages",
            data=jws,
            content_type="application/jose",
            headers=self.network["provider"].headers,
        )
        assert sealed.status_code == 201, sealed.get_json()
        return package


@pytest.fixture
def evidence(client, network, database, clock, orders) -> Packages:
    return Packages(client, network, database, clock, orders["received"])


def send(
    client,
    network,
    drafts,
    orders: dict[str, dict[str, Any]],
    evidence: Packages,
    seal: Seal,
    method: str,
    template: str,
    who: str,
) -> Any:
    """The request `who` would make: their own token, and a message signed with their own key."""
    present(network, who)
    webhook = ""
    if "{webhook}" in template:
        # Example Mail's own endpoint, registered through the API as Example Mail would.
        registered = client.post(
            "/api/v1/webhooks", json={"url": WEBHOOK}, headers=network["provider"].headers
        )
        webhook = registered.get_json()["id"]
    threat = ""
    if "{threat}" in template:
        # Example Mail's notification of a threat in France, to the Parquet de Paris (DSA Art. 18).
        jws = network["provider"].sign(
            "threat-notification", threat_notification(), network["prosecutor"].organisation_id
        )
        notified = client.post(
            "/api/v1/threat-notifications",
            data=jws,
            content_type="application/jose",
            headers=network["provider"].headers,
        )
        threat = notified.get_json()["id"]
    path = template.format(
        organisation=network["provider"].organisation_id,
        threat=threat,
        entry=0,
        webhook=webhook,
        message=orders["issued"]["messages"][0]["id"],
        **{state: o["id"] for state, o in orders.items()},
        **{name: evidence[name]["id"] for name in ("uploading", "sealed") if f"{{{name}}}" in template},
    )
    # Anonymous callers send what the rightful party would, minus the token.
    signer = (
        network["prosecutor" if path.endswith("/issue") else "provider"]
        if who == "anonymous"
        else network[who]
    )
    headers = {} if who == "anonymous" else network[who].headers
    if method == "PUT":
        chunk = evidence.chunks(evidence["uploading"])[0]
        return client.put(path, data=chunk, headers={**headers, "Content-Digest": content_digest(chunk)})
    if path.endswith("/evidence") and method == "POST":
        body = {
            "file_name": "second.mbox.age",
            "size": 10,
            "sha256": hashlib.sha256(b"0123456789").hexdigest(),
        }
        return client.post(path, json=body, headers=headers)
    if path.endswith("/decryption-report"):
        return client.post(path, json={"outcome": "verified"}, headers=headers)
    if method == "GET":
        return client.get(path, headers=headers)
    if method == "DELETE":
        return client.delete(path, headers=headers)
    if path == "/api/v1/webhooks":
        return client.post(path, json={"url": WEBHOOK}, headers=headers)
    if path == "/api/v1/threat-notifications":
        jws = signer.sign("threat-notification", threat_notification(), network["prosecutor"].organisation_id)
        return client.post(path, data=jws, content_type="application/jose", headers=headers)
    if path == "/api/v1/removal-notices":
        body = {
            "provider": network["provider"].organisation_id,
            "given_at": to_rfc3339(network.clock()),
            "means": "e-mail to the contact point",
        }
        return client.post(path, json=body, headers=headers)
    if path in ("/api/v1/orders", "/api/v1/orders/check"):
        body = {"order_type": "epoc", "certificate": drafts.epoc(network.addressees["provider"])}
        return client.post(path, json=body, headers=headers)
    if path.endswith("/issue"):
        draft = orders["draft"]
        jws = signer.sign("epoc", draft["certificate"], draft["provider"]["id"])
        return client.post(path, data=jws, content_type="application/jose", headers=headers)
    if path.endswith("/messages"):
        received = orders["received"]
        if who == "prosecutor":
            body, recipient = {"reason": "no longer needed", "delete_received_data": False}, "provider"
            kind = "withdrawal"
        else:
            body, recipient, kind = {}, "issuer", "acknowledgement"
        to = received["provider"]["id"] if recipient == "provider" else received["issuing_authority"]["id"]
        jws = signer.sign(kind, body, to, in_reply_to=received["messages"][0]["id"])
        return client.post(path, data=jws, content_type="application/jose", headers=headers)
    if path.endswith("/responses"):
        received = orders["received"]
        jws = signer.sign(
            "response",
            {"outcome": "produced", "data_preserved": True},
            received["issuing_authority"]["id"],
            in_reply_to=received["messages"][0]["id"],
        )
        return client.post(path, data=jws, content_type="application/jose", headers=headers)
    if path == "/api/v1/certificates/verify":
        # {issued}'s certificate as the broker seals it: a PDF every party may have been sent.
        issued = orders["issued"]
        jws = issued["messages"][0]["jws"]
        pdf = certificate_pdf(jws, seal, language="en", order_reference=issued["id"], certificate=jws)
        return client.post(path, data=pdf, content_type="application/pdf", headers=headers)
    if path == "/api/v1/etsi/hi1":
        # A GET of {issued}'s Authorisation, from the sender's own endpoint to the broker's.
        organisation = client.get(f"/api/v1/organisations/{signer.organisation_id}", headers=signer.headers)
        sender = hi1.Endpoint(organisation.get_json()["country"], signer.organisation_id)
        broker = hi1.Endpoint("EU", client.application.config["LOG_ORIGIN"])
        asks = [("GET", orders["issued"]["id"])]
        xml = provider.queries(sender, broker, asks, network.clock())
        return client.post(path, data=xml, content_type="application/xml", headers=headers)
    if path == "/api/v1/orders/form":
        # {draft}'s certificate as the EU reference implementation's Form 1, naming Example Mail's addressee.
        draft = orders["draft"]
        xml = forms.export_form(draft["order_type"], draft["certificate"])
        return client.post(path, data=xml, content_type="application/xml", headers=headers)
    return client.post(path, headers=headers)


def present(network, who: str) -> None:
    """Europol joins the network only where a row needs it, as the rest of the suite's world has none."""
    if who == "europol" and "europol" not in network.parties:
        network.add("europol", "Europol", OrganisationKind.EUROPOL, "NL", Role.CASEWORKER)


@pytest.mark.parametrize(
    ("method", "template", "who", "status"),
    [pytest.param(*row, id=f"{row[0]} {row[1]} as {row[2]}") for row in ACCESS],
)
def test_access(client, network, drafts, orders, evidence, seal, counted, method, template, who, status):
    if "{uploading}" in template or "{sealed}" in template:
        evidence[template.split("{")[2].split("}")[0]]  # made before counting rows
    tables = ("orders", "messages", "evidence_packages", "evidence_chunks")
    before = counted(*tables)
    response = send(client, network, drafts, orders, evidence, seal, method, template, who)
    assert response.status_code == status, response.get_json() or response.get_data(as_text=True)
    if status in DENIED:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.get_json()["type"] == PROBLEM_BASE + DENIED[status]
        assert counted(*tables) == before
    elif template.endswith("/content"):
        assert response.mimetype == "application/octet-stream"
        assert response.data == PACKAGE
    elif template.endswith("/pdf"):
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF-")
    elif template.endswith("/seal-certificate"):
        assert response.mimetype == "application/pem-certificate-chain"
        assert response.data == seal.certificate_pem
    elif template.endswith("/etsi/hi1"):
        assert response.mimetype == "application/xml"
        answer = hi1.read(response.data).root.find(
            hi1.path_of("Payload/ResponsePayload/ActionResponses/ActionResponse")
        )
        assert answer is not None, response.get_data(as_text=True)
        found = answer.find(hi1.path_of("GETResponse/HI1Object")) is not None
        refused = answer.find(hi1.path_of("ErrorInformation")) is not None
        assert (found, refused) == (who in SEES_ISSUED, who not in SEES_ISSUED), response.get_data(
            as_text=True
        )
    elif method == "GET" and template.endswith("/form"):
        assert response.mimetype == "application/xml"
        assert forms.import_form(response.data)[0] == "epoc"
    else:
        assert response.mimetype == "application/json"
        if template.endswith("/verify"):
            assert response.get_json()["valid"] is True, response.get_json()["line"]
        if template.endswith("/orders/form"):  # the form names the prosecutor; the draft is the caller's
            assert response.get_json()["issuing_authority"]["id"] == network[who].organisation_id


@pytest.mark.parametrize(
    ("who", "listed", "inbox"),
    [
        # allowed: the issuer sees all of its own, drafts included
        pytest.param("prosecutor", {"draft", "issued", "received"}, None, id="issuing authority"),
        # allowed: the addressee's provider sees what was sent to it, never a draft
        pytest.param("provider", {"issued", "received"}, {"issued", "received"}, id="provider"),
        # allowed: oversight reads everything
        pytest.param("oversight", {"draft", "issued", "received"}, None, id="oversight"),
        # denied: nothing of theirs
        pytest.param("other_authority", set(), None, id="another authority"),
        pytest.param("other_provider", set(), set(), id="another provider"),
        pytest.param("enforcing", set(), None, id="enforcing authority (no notification yet)"),
        pytest.param("europol", set(), None, id="Europol (party to no order)"),
    ],
)
def test_each_party_lists_only_the_orders_it_may_see(client, network, orders, who, listed, inbox):
    present(network, who)
    headers = network[who].headers
    names = {o["id"]: state for state, o in orders.items()}
    page = client.get("/api/v1/orders", headers=headers).get_json()
    assert {names[item["id"]] for item in page["items"]} == listed
    assert page["total"] == len(listed)
    if inbox is not None:
        waiting = client.get("/api/v1/inbox", headers=headers).get_json()
        assert {names[item["id"]] for item in waiting["items"]} == inbox


def test_a_provider_never_sees_a_draft_addressed_to_it(client, network, exchange):
    draft = exchange.draft()
    headers = network["provider"].headers
    response = client.get(f"/api/v1/orders/{draft['id']}", headers=headers)
    assert response.status_code == 404
    assert response.get_json()["type"] == PROBLEM_BASE + "not-found"
    assert draft["id"] not in {i["id"] for i in client.get("/api/v1/orders", headers=headers).json["items"]}
    assert client.get("/api/v1/inbox", headers=headers).get_json()["items"] == []
    receive = client.post(f"/api/v1/orders/{draft['id']}/receive", headers=headers)
    assert receive.status_code == 404
    assert (
        client.get(f"/api/v1/orders/{draft['id']}", headers=network["prosecutor"].headers).json["state"]
        == "draft"
    )


@pytest.fixture
def auditor(network, database, clock) -> dict[str, str]:
    """A user with role auditor in the prosecutor's office."""
    with database.transaction() as session:
        office = session.get_one(Organisation, uuid.UUID(network["prosecutor"].organisation_id))
        user = operations.create_user(
            session, clock, organisation=office, email="audit@parquet.test", name="Auditor", role=Role.AUDITOR
        )
        _, token = operations.issue_token(
            session, clock, user=user, label="audit", lifetime=timedelta(days=1)
        )
    return {"Authorization": f"Bearer {token}"}


def test_an_auditor_of_an_issuing_authority_reads_its_orders_but_cannot_draft_or_issue(
    client, network, exchange, drafts, rows, auditor
):
    draft = exchange.draft()
    assert client.get(f"/api/v1/orders/{draft['id']}", headers=auditor).status_code == 200
    assert [i["id"] for i in client.get("/api/v1/orders", headers=auditor).json["items"]] == [draft["id"]]

    before = (rows("orders"), rows("messages"))
    body = {"order_type": "epoc", "certificate": drafts.epoc(network.addressees["provider"])}
    refused = client.post("/api/v1/orders", json=body, headers=auditor)
    assert refused.status_code == 403
    assert refused.get_json()["type"] == PROBLEM_BASE + "forbidden"
    assert "auditor" in refused.get_json()["detail"]

    jws = network["prosecutor"].sign("epoc", draft["certificate"], draft["provider"]["id"])
    refused = client.post(
        f"/api/v1/orders/{draft['id']}/issue", data=jws, content_type="application/jose", headers=auditor
    )
    assert refused.status_code == 403
    assert refused.get_json()["type"] == PROBLEM_BASE + "forbidden"
    assert (rows("orders"), rows("messages")) == before


def test_the_access_table_covers_every_endpoint_for_every_party(app):
    """A new endpoint under /api/v1 fails here until its access rows are written."""
    adapter = app.url_map.bind("broker.test")
    placeholders = {
        name: str(uuid.uuid4())
        for name in (
            "organisation",
            "draft",
            "issued",
            "received",
            "message",
            "webhook",
            "uploading",
            "sealed",
            "threat",
        )
    }
    covered: dict[tuple[str, str], set[str]] = {}
    for method, template, who, _ in ACCESS:
        path = template.format(entry=0, **placeholders).partition("?")[0]
        endpoint, _ = adapter.match(path, method=method)
        covered.setdefault((endpoint, method), set()).add(who)

    expected = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }
    assert set(covered) == expected
    for endpoint, parties in covered.items():
        assert parties == set(PARTIES), endpoint
    assert len(ACCESS) == len(expected) * len(PARTIES), "a (endpoint, party) pair appears twice"
