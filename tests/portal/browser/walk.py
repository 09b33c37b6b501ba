"""The walk of one notified production order across the four parties, page by page in chromium.

Shared by test_browser_walk.py (on the test network) and screenshots.py (on the demo network), so
that the pictures in docs/portal.md are of the walk the test proves. Each step takes the page of the
person who acts (a browser context of their own, signed in), checks every page it reaches with
`check` (axe-core in both) and hands the pages worth a picture to `shoot` (a no-op in the test).

The order is an EPOC for traffic data from an investigating judge's office, about a person living in
another Member State: the addressee's enforcing authority is notified (Art. 8) and may object within
10 days (Art. 12), so every one of the four parties has a part in it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page
from playwright.sync_api import expect

from broker.client import BrokerClient
from broker.client import KeySigner
from broker.client import age
from broker.client import evidence_fetching
from broker.client import evidence_sending

ORDER_PATH = re.compile(r"/orders/([0-9a-f-]{36})")


def no_picture(page: Page, name: str) -> None:
    """The test's `shoot`: it proves the walk and keeps no picture of it."""


@dataclass
class Walk:
    """The walk's steps, each checking the pages it reaches."""

    check: Callable[[Page], Any]
    shoot: Callable[[Page, str], None] = no_picture

    def go_on(self, page: Page) -> None:
        self.check(page)
        page.get_by_role("button", name="Continue").click()

    def sign_in(self, page: Page, email: str, password: str, code: Callable[[], str]) -> Page:
        """Password, then the authenticator's code, one page each; lands on the dashboard."""
        page.goto("/login")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        self.check(page)
        self.shoot(page, "sign-in")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Enter the code from your authenticator app").fill(code())
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("navigation", name="Menu")).to_be_visible()
        return page

    def browser_key(self, person: Page, administrator: Page) -> str:
        """The person makes a key in their browser; their administrator registers its public JWK as theirs.

        The person, who may not register keys, is told to ask their administrator and shown the JWK.
        """
        person.goto("/account/signing-keys")
        name = person.locator(".navigation__who").inner_text().split(" · ")[0]
        person.get_by_role("button", name="Make a signing key in this browser").click()
        status = person.get_by_role("status")
        expect(status).to_contain_text("This browser holds the key ")
        kid = status.inner_text().removeprefix("This browser holds the key ").removesuffix(".")
        expect(person.get_by_role("main")).to_contain_text("Ask your administrator to register")
        expect(person.get_by_role("main")).to_contain_text('"kty":')  # the public JWK, to copy
        expect(person.get_by_role("button", name="Register the key")).to_have_count(0)
        self.check(person)
        public_jwk = person.locator("[data-public-jwk] pre").inner_text()

        administrator.goto("/account/signing-keys")
        administrator.get_by_label("Public key (JWK)").fill(public_jwk)
        administrator.get_by_label(re.compile(rf"^{re.escape(name)} \(")).check()
        administrator.get_by_role("button", name="Register the key").click()
        expect(administrator.get_by_role("region", name="Important")).to_contain_text(
            f"The key {kid} is registered."
        )
        self.check(administrator)
        return kid

    def draft_and_issue(self, page: Page, file_number: str, *, finding: bool = False) -> str:
        """The guided form, check your answers, then signed in the browser and issued; the order's id.

        With `finding`, the caseworker goes back from checking the answers and gives the offence a
        sentence too short for traffic data: the finding shows on the question page as they type,
        and goes when the sentence is put right.
        """
        page.goto("/")
        self.check(page)
        self.shoot(page, "caseworker-dashboard")
        page.get_by_role("link", name="Draft an order").first.click()
        page.get_by_label("European Production Order (EPOC)").check()
        page.get_by_label("Regulation (EU) 2023/1543 (e-Evidence)").check()
        self.go_on(page)
        page.get_by_label(re.compile(r"^Example Mail: ")).check()
        self.go_on(page)
        page.get_by_label("Traffic data").check()
        self.go_on(page)
        page.get_by_label("Kind of identifier 1").select_option("email_address")
        page.get_by_label("Identifier 1", exact=True).fill("suspect@examplemail.test")
        self.go_on(page)
        page.get_by_label("From (UTC)").fill("2026-09-01T00:00")
        page.get_by_label("Until (UTC)").fill("2026-11-01T00:00")
        self.go_on(page)
        page.get_by_label("Description of the offence").fill("Online investment fraud")
        page.get_by_label("Criminal-law provisions").fill("Code pénal, art. 313-1")
        page.get_by_label("Maximum custodial sentence, in months").fill("60")
        self.go_on(page)
        page.get_by_label("Criminal proceedings").check()
        self.go_on(page)
        page.get_by_label("Summary of the case").fill(
            "Victims paid into accounts advertised from this address."
        )
        page.get_by_label("Why the order is necessary and proportionate (Art. 5(2))").fill("The only lead.")
        self.go_on(page)
        page.get_by_label("No", exact=True).check()  # not an emergency
        self.go_on(page)
        self.go_on(page)  # validated by no one else: a judge orders traffic data alone (Art. 4(1)(a))
        page.get_by_role(
            "group", name="Are there reasonable grounds to believe the offence was committed in your State?"
        ).get_by_label("Yes", exact=True).check()
        page.get_by_role(
            "group", name="Are there reasonable grounds to believe the person resides in your State?"
        ).get_by_label("No", exact=True).check()  # so the enforcing authority is notified (Art. 8(1))
        page.get_by_role(
            "group", name="Could a similar order be issued in a similar domestic case?"
        ).get_by_label("Yes", exact=True).check()
        self.go_on(page)
        page.get_by_label("Delay informing the person").check()
        page.get_by_label("Why the person is not informed now").fill("Would alert the suspect.")
        self.go_on(page)
        page.get_by_label("Your file number").fill(file_number)
        page.get_by_label("Language of the certificate").select_option("en")
        self.go_on(page)

        panel = page.locator("[data-findings-panel]")
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
        expect(panel).to_contain_text("No rule of the legal instrument is broken.")
        self.check(page)
        self.shoot(page, "check-your-answers")
        if finding:
            page.get_by_role("button", name="Change What is the offence?").click()
            sentence = page.get_by_label("Maximum custodial sentence, in months")
            sentence.fill("12")  # the script asks the broker as the person types
            expect(panel).to_contain_text("Art. 5(4)")
            self.check(page)
            panel.evaluate("panel => panel.scrollIntoView({block: 'end'})")
            self.shoot(page, "question-with-a-finding")
            sentence.fill("60")
            expect(panel).to_contain_text("No rule of the legal instrument is broken.")
            self.go_on(page)
            expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
        page.get_by_role("button", name="Save the draft").click()
        expect(page.get_by_role("region", name="Important")).to_contain_text("Your draft is saved.")
        page.get_by_role("link", name="Sign and issue").click()
        self.go_on(page)  # this browser's key is chosen for the person
        expect(page.get_by_role("heading", level=1)).to_have_text("Check and sign: Issue the order")
        self.check(page)
        self.shoot(page, "signing")
        page.get_by_role("button", name="Sign and issue").click()
        expect(page).to_have_url(re.compile(r"/orders/[0-9a-f-]{36}\?done=issue$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Issued")
        self.check(page)
        found = ORDER_PATH.search(page.url)
        assert found, page.url
        return found.group(1)

    def take_and_acknowledge(self, page: Page, order_id: str, file_number: str) -> None:
        """The provider's legal team opens the order from its inbox, takes delivery and acknowledges."""
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
        self.check(page)
        self.shoot(page, "provider-inbox")
        page.goto(f"/orders/{order_id}")
        page.get_by_role("button", name="Take delivery").click()
        expect(page.get_by_role("region", name="Important")).to_contain_text(
            "You have taken delivery of the order."
        )
        self.check(page)
        self.sign_and_send(page, "Acknowledge the order", {"Your file number (optional)": file_number})
        expect(page.get_by_role("heading", level=1)).to_contain_text("Acknowledged")

    def no_objection(self, page: Page, order_id: str) -> None:
        """The enforcing authority records no objection (Art. 12): the data may go at once."""
        page.goto("/")
        self.check(page)
        page.goto(f"/orders/{order_id}")
        page.get_by_role("link", name="Record your review (Art. 12)").click()
        page.get_by_label("No objection").check()
        self.check(page)
        self.shoot(page, "art-12-review")
        page.get_by_role("button", name="Continue").click()
        self.sign(page, "Record your review (Art. 12)")

    def answer_produced(self, page: Page, order_id: str) -> None:
        """The provider answers that it produced the data (and keeps them preserved)."""
        page.goto(f"/orders/{order_id}")
        page.get_by_role("link", name="Answer the order").click()
        page.get_by_label("Produced the data").check()
        page.get_by_role("group", name="Are the data preserved?").get_by_label("Yes", exact=True).check()
        self.check(page)
        page.get_by_role("button", name="Continue").click()
        self.sign(page, "Answer the order")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Produced")

    def sign_and_send(self, page: Page, action: str, answers: dict[str, str]) -> None:
        """From the order page: the action's form, then checked and signed in the browser."""
        page.get_by_role("link", name=action).click()
        for label, value in answers.items():
            page.get_by_label(label).fill(value)
        self.check(page)
        page.get_by_role("button", name="Continue").click()
        self.sign(page, action)

    def sign(self, page: Page, action: str) -> None:
        """The check-and-sign page: the browser's key signs what the broker prepared; sent and shown."""
        # The form's POST checks every answer and renders the signing page: on a loaded 2-core CI
        # machine that took over the default 5 seconds once, so wait longer for the same text.
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Check and sign: {action}", timeout=20_000)
        self.check(page)
        page.get_by_role("button", name="Sign and send").click()
        expect(page).to_have_url(re.compile(r"/orders/[0-9a-f-]{36}\?done="))
        expect(page.get_by_role("region", name="Important")).to_contain_text("was sent.")
        self.check(page)

    def evidence_verified(self, page: Page, order_id: str, file_name: str) -> None:
        """The caseworker's order page: the package sealed, measured as declared, decrypted and verified."""
        page.goto(f"/orders/{order_id}")
        row = page.get_by_role("table", name="Evidence packages").get_by_role(
            "row", name=re.compile(file_name)
        )
        expect(row).to_contain_text("Size and SHA-256 as declared")
        expect(row).to_contain_text("Decrypted, every hash matched")
        expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
        self.check(page)
        self.shoot(page, "order-page")
        page.locator("#evidence").evaluate("heading => heading.scrollIntoView()")
        self.shoot(page, "order-evidence")

    def oversee(self, page: Page, file_number: str) -> None:
        """The oversight body finds the order, reads its verified case file and checks the signed log."""
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Search orders").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Search orders")
        self.check(page)
        self.shoot(page, "oversight-search")
        page.get_by_role("link", name=f"Case file of order {file_number}").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Case file of order")
        expect(page.get_by_role("status")).to_contain_text("Verified")
        self.check(page)
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Signed log").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("The signed log")
        expect(page.get_by_role("status")).to_contain_text("every step below passed")
        self.check(page)
        self.shoot(page, "log-check")


def deliver_evidence(
    url: str,
    order_id: str,
    provider_token: str,
    provider_key: Any,
    authority_token: str,
    identity: str,
    folder: Path,
) -> Path:
    """What has no portal page, done as the parties' own systems do it (`broker evidence send|fetch`).

    The provider's system encrypts the produced file to the issuing authority's age recipient,
    uploads it and signs the manifest with the provider's key; the issuing authority's system
    downloads, checks and decrypts it with its own identity and reports the outcome to the broker.
    Returns the produced file, whose name the order page shows.
    """
    produced = folder / "mailbox.mbox"
    produced.parent.mkdir(parents=True, exist_ok=True)
    produced.write_text("From suspect@examplemail.test Tue Sep  1 10:00:00 2026\nSubject: invest now\n\n")
    evidence_sending.send(
        BrokerClient(url, provider_token), order_id, [produced], KeySigner(provider_key), folder / "work"
    )
    fetched = evidence_fetching.fetch(
        BrokerClient(url, authority_token), order_id, age.parse_identities(identity), folder / "received"
    )
    assert [file["name"] for file in fetched] == [produced.name]
    assert (folder / "received" / produced.name).read_bytes() == produced.read_bytes()
    return produced
