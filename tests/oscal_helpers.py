"""Load OSCAL documents back through compliance-trestle's models, as an auditor's tool would."""

from __future__ import annotations

import json
from pathlib import Path

from trestle.oscal import OSCAL_VERSION
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.component import ComponentDefinition

NS = "https://kubecomply.io/ns/oscal"


def load_assessment_results(path: Path) -> AssessmentResults:
    doc = json.loads(Path(path).read_text())
    assert list(doc) == ["assessment-results"]
    model = AssessmentResults.parse_obj(doc["assessment-results"])  # validates every field
    assert model.metadata.oscal_version.__root__ == OSCAL_VERSION and OSCAL_VERSION.startswith("1.1.")
    return model


def load_component_definition(path: Path) -> ComponentDefinition:
    doc = json.loads(Path(path).read_text())
    return ComponentDefinition.parse_obj(doc["component-definition"])


def prop(item, name):
    values = [p.value for p in item.props or [] if p.name == name and str(p.ns) == NS]
    return values[0] if len(values) == 1 else values or None


def statuses_from(result) -> dict[tuple[str, str], str]:
    """(framework, control id) -> kubecomply status, read from the OSCAL findings; checks the OSCAL state agrees."""
    out = {}
    for finding in result.findings or []:
        status = prop(finding, "control-status")
        state = finding.target.status.state.value
        assert state == ("satisfied" if status in ("pass", "pass-with-exceptions") else "not-satisfied"), (status, state)
        out[(prop(finding, "framework"), prop(finding, "control-id"))] = status
    return out
