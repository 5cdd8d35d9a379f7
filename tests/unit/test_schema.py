"""The front-matter model: types, funnel-stage aliases, the JSON Schema."""

import json

import pytest
from pydantic import ValidationError

from carepress.model.schema import FUNNEL_STAGE_ALIASES, FrontMatter, FunnelStage, SiteAudience, Audience, json_schema

BASE = {"title": "T", "audience": "patient", "persona": ["p"], "content_type": "disease_awareness"}


@pytest.mark.parametrize(
    "written, stage",
    [
        ("attract", "attract"), ("Attraction", "attract"), ("prise-de-conscience", "attract"), ("TOFU", "attract"),
        ("awareness", "attract"), ("conversion", "convert"), ("consideration", "convert"), ("mofu", "convert"),
        ("fermeture", "close"), ("clôture", "close"), ("cloture", "close"), ("decision", "close"), ("bofu", "close"),
        ("fidélisation", "delight"), ("fidelisation", "delight"), ("loyalty", "delight"), ("prise de conscience", "attract"),
    ],
)
def test_funnel_stage_aliases_map_to_the_four_stages(written, stage):
    assert FrontMatter.model_validate({**BASE, "funnel_stage": written}).funnel_stage == FunnelStage(stage)


def test_every_alias_targets_a_canonical_stage():
    assert set(FUNNEL_STAGE_ALIASES.values()) == set(FunnelStage)


def test_unknown_stage_is_rejected():
    with pytest.raises(ValidationError):
        FrontMatter.model_validate({**BASE, "funnel_stage": "awarness"})


def test_single_persona_string_becomes_a_list():
    meta = FrontMatter.model_validate({**BASE, "persona": "p1", "funnel_stage": "attract"})
    assert meta.persona == ["p1"]


def test_numbers_are_not_silently_turned_into_titles():
    with pytest.raises(ValidationError):
        FrontMatter.model_validate({**BASE, "title": 2024, "funnel_stage": "attract"})


def test_missing_validation_block_means_draft():
    meta = FrontMatter.model_validate({**BASE, "funnel_stage": "attract"})
    assert meta.validation.status == "draft"


def test_site_audiences():
    assert SiteAudience.PATIENT.accepts(Audience.CAREGIVER) and SiteAudience.PATIENT.accepts(Audience.ALL)
    assert not SiteAudience.PATIENT.accepts(Audience.HCP)
    assert SiteAudience.HCP.accepts(Audience.ALL) and not SiteAudience.HCP.accepts(Audience.PATIENT)


def test_json_schema_lists_enums_and_aliases():
    schema = json_schema()
    json.dumps(schema)  # serialisable
    assert set(schema["required"]) >= {"title", "audience", "funnel_stage", "content_type"}
    stage_choices = schema["properties"]["funnel_stage"]["anyOf"]
    assert {"enum": sorted(FUNNEL_STAGE_ALIASES)} in stage_choices
    assert schema["$defs"]["Audience"]["enum"] == ["patient", "caregiver", "hcp", "all"]
