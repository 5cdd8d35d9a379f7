"""The front-matter of an article, as one typed model (DESIGN.md §2)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator


class Audience(StrEnum):
    PATIENT = "patient"
    CAREGIVER = "caregiver"
    HCP = "hcp"
    ALL = "all"


class SiteAudience(StrEnum):
    """The two sites built from one content tree."""

    PATIENT = "patient"
    HCP = "hcp"

    def accepts(self, audience: Audience) -> bool:
        return audience in SITE_AUDIENCES[self]


SITE_AUDIENCES: dict[SiteAudience, frozenset[Audience]] = {
    SiteAudience.PATIENT: frozenset({Audience.PATIENT, Audience.CAREGIVER, Audience.ALL}),
    SiteAudience.HCP: frozenset({Audience.HCP, Audience.ALL}),
}


def reads(persona: Audience, page: Audience) -> bool:
    """Whether a persona of the audience `persona` reads a site that publishes a page of the audience `page` (CP116)."""
    return any(site.accepts(persona) and site.accepts(page) for site in SiteAudience)


class FunnelStage(StrEnum):
    ATTRACT = "attract"
    CONVERT = "convert"
    CLOSE = "close"
    DELIGHT = "delight"


# The inbound method's French and journey names for each stage.
FUNNEL_STAGE_ALIASES: dict[str, FunnelStage] = {
    "attraction": FunnelStage.ATTRACT,
    "awareness": FunnelStage.ATTRACT,
    "prise-de-conscience": FunnelStage.ATTRACT,
    "tofu": FunnelStage.ATTRACT,
    "conversion": FunnelStage.CONVERT,
    "consideration": FunnelStage.CONVERT,
    "mofu": FunnelStage.CONVERT,
    "fermeture": FunnelStage.CLOSE,
    "clôture": FunnelStage.CLOSE,
    "cloture": FunnelStage.CLOSE,
    "decision": FunnelStage.CLOSE,
    "bofu": FunnelStage.CLOSE,
    "fidélisation": FunnelStage.DELIGHT,
    "fidelisation": FunnelStage.DELIGHT,
    "loyalty": FunnelStage.DELIGHT,
}


def normalise_funnel_stage(value: Any) -> Any:
    """Map a stage name or alias (any case, spaces or underscores) to its canonical value."""
    if not isinstance(value, str):
        return value
    key = unicodedata.normalize("NFC", value.strip().lower()).replace("_", "-").replace(" ", "-")
    if key in FunnelStage._value2member_map_:
        return key
    return FUNNEL_STAGE_ALIASES.get(key, value)


class ContentType(StrEnum):
    DISEASE_AWARENESS = "disease_awareness"
    MEDICAL_SCIENTIFIC = "medical_scientific"
    PRODUCT_OTC = "product_otc"
    PRODUCT_RX = "product_rx"
    CORPORATE = "corporate"

    @property
    def is_product(self) -> bool:
        return self in (ContentType.PRODUCT_OTC, ContentType.PRODUCT_RX)


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


def _one_or_many(value: Any) -> Any:
    """Accept `persona: patient-dt2` as well as `persona: [patient-dt2]`."""
    return [value] if isinstance(value, str) else value


StrList = Annotated[list[str], BeforeValidator(_one_or_many)]


class _Strict(BaseModel):
    # Types are not coerced: `title: 2024` is a mistake an editor should hear about.
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class Keywords(_Strict):
    primary: str | None = None
    secondary: StrList = Field(default_factory=list)


class Reviewers(_Strict):
    medical: str | None = None
    legal: str | None = None
    regulatory: str | None = None


class Validation(_Strict):
    status: Status = Status.DRAFT
    code: str | None = None
    approved: dt.date | None = None
    expires: dt.date | None = None
    reviewers: Reviewers = Field(default_factory=Reviewers)
    # Content-folder-relative path of each file the page links to or embeds -> "sha256:<hex>" of its bytes, as
    # approved (written by `carepress approve`, checked by CP205). Empty: left out of the fingerprint, as before.
    attachments: dict[str, str] = Field(default_factory=dict)
    fingerprint: str | None = None


class Visa(_Strict):
    type: Literal["GP", "PM"]
    number: str
    date: dt.date


class ComplianceOptions(_Strict):
    waive: dict[str, str] = Field(default_factory=dict)

    @field_validator("waive")
    @classmethod
    def _each_waiver_says_why(cls, waive: dict[str, str]) -> dict[str, str]:
        # The reason is what the reports and the manifest show an auditor: a waiver without one is no waiver.
        unexplained = [code for code, reason in waive.items() if not reason.strip()]
        if unexplained:
            raise ValueError(f"the waiver of {', '.join(unexplained)} gives no reason; write why this page may go "
                             f"without the rule, e.g. `{unexplained[0]}: \"page institutionnelle, sans information de santé\"`")
        return waive


class FrontMatter(BaseModel):
    """What an editor writes between the `---` lines."""

    # Material and MkDocs keys (hide, template, tags...) pass through; unknown keys get a warning.
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    title: str = Field(min_length=1)
    description: str | None = None
    audience: Audience
    persona: StrList = Field(default_factory=list)
    funnel_stage: Annotated[FunnelStage, BeforeValidator(normalise_funnel_stage)]
    content_type: ContentType
    topic: str | None = None
    lang: str | None = None
    canonical: str | None = None  # another page of this site that this one duplicates
    translations: dict[str, str] = Field(default_factory=dict)
    keywords: Keywords | None = None
    products: StrList = Field(default_factory=list)
    references: StrList = Field(default_factory=list)
    validation: Validation = Field(default_factory=Validation)
    visa: Visa | None = None
    compliance: ComplianceOptions = Field(default_factory=ComplianceOptions)

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("title is empty")
        return value


# Keys MkDocs and Material read from front-matter: allowed beside ours, never flagged.
MKDOCS_KEYS = frozenset(
    {"hide", "template", "icon", "subtitle", "status", "tags", "search", "comments", "social", "nav_title"}
)
KNOWN_KEYS = frozenset(FrontMatter.model_fields) | MKDOCS_KEYS
REQUIRED_KEYS = tuple(name for name, field in FrontMatter.model_fields.items() if field.is_required())


def json_schema() -> dict[str, Any]:
    """The JSON Schema editors' tools use to validate and autocomplete front-matter."""
    schema = FrontMatter.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "CarePress article front-matter"
    stage = schema["properties"]["funnel_stage"]
    stage.pop("$ref", None)
    stage["anyOf"] = [{"$ref": "#/$defs/FunnelStage"}, {"enum": sorted(FUNNEL_STAGE_ALIASES)}]
    stage["description"] = "attract | convert | close | delight, or one of their French and journey aliases"
    return schema
