"""The text of a mail: which order, what happened, the link to its page; nothing of its content.

A mail crosses servers the broker does not control and lands in mailboxes others may read, so it
says only what a webhook says (the order's id and type, the event, a clock's due time) and sends
the reader to the portal, where they sign in with two factors to read the order itself.
"""

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from broker.notify.mail.settings import MailSettings
from broker.notify.models import MailMessage
from broker.notify.models import MailTopic

ORDER_NAMES = {
    "epoc": "European Production Order",
    "epoc-pr": "European Preservation Order",
    "removal-order": "removal order",
}
# The portal's pages the links open (broker/portal/views/orders.py and account.py).
ORDER_PATH = "/orders/{id}"
CHOICES_PATH = "/account/mail"
WHY = {
    MailTopic.ORDER_ARRIVED: "when an order arrives",
    MailTopic.DEADLINE_NEAR: "when a deadline nears",
    MailTopic.DEADLINE_PASSED: "when a deadline passes",
    MailTopic.MESSAGE_RECEIVED: "when an answer or another message arrives",
}


def compose(mail: MailMessage, settings: MailSettings, now: datetime) -> EmailMessage:
    """The e-mail for one outbox row, dated `now`; the same Message-ID at every attempt."""
    order_name = ORDER_NAMES.get(mail.order_type, "order")
    short = str(mail.order_id)[:8]  # the whole id is in the text
    headline = _headline(mail, order_name)
    message = EmailMessage()
    message["Subject"] = _subject(mail, f"{order_name} {short}")
    message["From"] = settings.sender
    message["To"] = mail.to_address
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{mail.id}@{settings.sender.rpartition('@')[2]}>"
    # RFC 3834: sent by a program, so auto-responders do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    if mail.emergency:
        message["Importance"] = "high"
    link = settings.public_url + ORDER_PATH.format(id=mail.order_id)
    lines = [f"{headline}.", ""]
    if mail.emergency:
        lines += ["The order is an emergency: its deadline is counted in hours.", ""]
    lines += [f"{_sentence(order_name)}: {mail.order_id}"]
    if mail.due_at is not None:
        lines += [f"Due: {mail.due_at:%Y-%m-%d %H:%M} UTC"]
    lines += [
        f"Open it in the portal: {link}",
        "",
        "This e-mail carries nothing of the order's content: sign in to the portal to read it.",
        "",
    ]
    if mail.user_id is None:
        lines += [
            "You receive this because this address is registered as a 24/7 contact for emergency orders."
        ]
    else:
        lines += [
            f"You receive this because you chose to be told {WHY[mail.topic]}.",
            f"Choose what you receive: {settings.public_url}{CHOICES_PATH}",
        ]
    message.set_content("\n".join(lines) + "\n")
    return message


def _subject(mail: MailMessage, named: str) -> str:
    """What happened in a few words and the order, so that the subject fits on one line of a mail client."""
    if mail.topic is MailTopic.ORDER_ARRIVED:
        if mail.event == "order.enforcement-request":
            return f"Enforcement requested: {named}"
        return f"Emergency: new {named}" if mail.emergency else f"New {named}"
    if mail.topic is MailTopic.MESSAGE_RECEIVED:
        return f"{'Answer received' if mail.event == 'order.response' else 'New message'}: {named}"
    return f"{'Deadline near' if mail.topic is MailTopic.DEADLINE_NEAR else 'Deadline passed'}: {named}"


def _headline(mail: MailMessage, order_name: str) -> str:
    """What happened, in a sentence without its full stop."""
    if mail.topic is MailTopic.ORDER_ARRIVED:
        if mail.event == "order.enforcement-request":
            return _sentence(f"{_a(order_name)} has been sent to you for enforcement")
        return _sentence(f"{_a(order_name)} has arrived")
    clock = (mail.clock or "").replace("_", " ")
    if mail.topic is MailTopic.DEADLINE_NEAR:
        return f"The {clock} deadline of {_a(order_name)} nears"
    if mail.topic is MailTopic.DEADLINE_PASSED:
        return f"The {clock} deadline of {_a(order_name)} has passed"
    kind = mail.event.removeprefix("order.").replace("-", " ")  # the message type, e.g. "response"
    return _sentence(f"{_a(kind)} has arrived on {_a(order_name)}")


def _a(noun: str) -> str:
    """The noun with its article, by sound: "an acknowledgement", "a European Production Order"."""
    vowel = noun[0].lower() in "aeiou" and not noun.lower().startswith(("eu", "uni", "use"))
    return f"{'an' if vowel else 'a'} {noun}"


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]
