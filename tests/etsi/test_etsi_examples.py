"""Every ETSI example message: read and bound when it is of the profile's object types, refused precisely when not."""

from pathlib import Path

import pytest

from broker.etsi import hi1
from broker.etsi import names
from broker.etsi.errors import EtsiError

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "etsi"
PROFILE = {
    names.AUTHORISATION,
    names.LDTASK,
    names.LPTASK,
    names.DOCUMENT,
    names.NOTIFICATION,
    names.DELIVERY_OBJECT,
}
# Outside the e-Evidence profile, and why the broker says so.
REFUSED = {
    "request5-XML-Delivery.xml": "FooItem",  # data in a namespace whose schema ETSI's example leaves out
    "request_takedown.xml": "TDTaskObject",  # a V1.23.1 takedown task, not in V1.20.1 nor in the profile
}
OUTSIDE = {"task:LITaskObject", "policy:TrafficPolicyObject", "policy:TrafficRuleObject"}  # interception


def examples() -> list[Path]:
    found = sorted(VECTORS.glob("v1.*/*.xml"))
    assert len(found) == 22
    return found


@pytest.mark.parametrize("path", examples(), ids=lambda p: p.name)
def test_every_example_imports_or_is_refused_with_its_element(path: Path) -> None:
    if path.name in REFUSED:
        with pytest.raises(EtsiError) as refusal:
            hi1.read(path.read_bytes())
        assert refusal.value.element.startswith("/HI1Message/Payload")
        assert REFUSED[path.name] in refusal.value.detail
        return
    message = hi1.read(path.read_bytes())
    assert message.header.transaction
    for action in message.actions:
        if action.object is not None:
            assert action.object.object_type in PROFILE | OUTSIDE, action.object.object_type
            assert action.object.identifier


def test_the_profiles_examples_bind_their_members() -> None:
    message = hi1.read((VECTORS / "v1.23.1" / "request8_LPTaskObject.xml").read_bytes())
    task = message.actions[0].object
    assert task is not None and task.object_type == names.LPTASK
    assert (
        hi1.value(task.element, "task:RequestDetails/task:RequestValues/task:RequestValue/task:Value")
        == "442079460223"
    )
    assert hi1.entry(task.element, "task:DesiredStatus") == ("ETSI", "LPTaskDesiredStatus", "Preserved")
