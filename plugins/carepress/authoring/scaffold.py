"""`carepress new`: a new article from a template chosen by content type and funnel stage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import json

from jinja2 import Environment, PackageLoader, StrictUndefined

from carepress.authoring.slug import slugify, untypable
from carepress.model.loader import real_path
from carepress.model.registries import Persona, Product
from carepress.model.schema import Audience, ContentType, FunnelStage, normalise_funnel_stage, reads


class ScaffoldError(ValueError):
    """A request `new` refuses; nothing has been written."""


@dataclass(frozen=True)
class Request:
    title: str
    personas: tuple[str, ...]
    stage: str
    topic: str
    content_type: str | None = None
    audience: str | None = None
    products: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    path: Path  # where the article goes, under the content folder
    text: str


_ENVIRONMENT = Environment(loader=PackageLoader("carepress.authoring", "templates"), undefined=StrictUndefined,
                           keep_trailing_newline=True, autoescape=False)
# A JSON string is a valid YAML double-quoted scalar; accents stay readable.
_ENVIRONMENT.filters["yaml_str"] = lambda value: json.dumps(str(value), ensure_ascii=False)


def template_names(content_type: ContentType, stage: FunnelStage) -> list[str]:
    """Most specific first: `product_rx-close`, then `product_rx`, then the stage's own template."""
    return [f"{content_type.value}-{stage.value}.md.j2", f"{content_type.value}.md.j2", f"{stage.value}.md.j2"]


def prepare(request: Request, content_dir: Path, personas: dict[str, Persona], products: dict[str, Product]) -> Draft:
    """Check the request and render the article; raise ScaffoldError before anything is written."""
    if not request.personas:
        raise ScaffoldError("give at least one --persona")
    unknown = [pid for pid in request.personas if pid not in personas]
    if unknown:
        raise ScaffoldError(f"unknown persona `{unknown[0]}`; known personas: {', '.join(sorted(personas)) or 'none'} (site_config/personas.yml)")
    stage_value = normalise_funnel_stage(request.stage)
    if stage_value not in FunnelStage._value2member_map_:
        raise ScaffoldError(f"unknown funnel stage `{request.stage}`; use attract, convert, close or delight (or an alias such as attraction, conversion, fermeture, fidélisation)")
    stage = FunnelStage(stage_value)
    unknown_products = [pid for pid in request.products if pid not in products]
    if unknown_products:
        raise ScaffoldError(f"unknown product `{unknown_products[0]}`; known products: {', '.join(sorted(products)) or 'none'} (site_config/products.yml)")
    audience = _audience(request, personas)
    content_type = ContentType(request.content_type) if request.content_type else (
        ContentType.MEDICAL_SCIENTIFIC if audience is Audience.HCP else ContentType.DISEASE_AWARENESS)
    for name, value in (("title", request.title), ("topic", request.topic)):
        if untypable(value):  # the file could not hold it, or would show it broken
            raise ScaffoldError(f"the {name} {value!r} holds a control character, a line break or an undecodable byte; "
                                "type it again in UTF-8, on one line")
    title = " ".join(request.title.split())
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"the title {request.title!r} gives an empty file name; use a title with letters or digits")
    topic = slugify(request.topic)
    if not topic:
        raise ScaffoldError(f"the topic {request.topic!r} gives an empty folder name; use letters or digits, e.g. diabete-type-2")
    if not real_path(content_dir / topic).is_relative_to(real_path(content_dir)):
        raise ScaffoldError(f"the topic folder {topic} is a link out of the content folder; the article would be "
                            "written there (CP111): use another topic, or replace the link with a folder")
    template = _ENVIRONMENT.get_or_select_template(template_names(content_type, stage))
    text = template.render(
        title=title, audience=audience.value, personas=list(request.personas), stage=stage.value,
        content_type=content_type.value, topic=topic, products=[products[p] for p in request.products],
        persona_labels=[personas[p].label for p in request.personas])
    return Draft(content_dir / topic / f"{slug}.md", text.rstrip("\n") + "\n")


def write(draft: Draft) -> None:
    """Exclusive create: an existing file is never overwritten, and no half-written file is left."""
    data = draft.text.encode("utf-8")  # before the file exists: text it cannot hold leaves nothing behind
    try:
        draft.path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file, or a link to nothing, where the folder would be
        raise ScaffoldError(f"{draft.path.parent.name} exists in the content folder and is no folder (a file, or a "
                            "link to nothing); choose another topic, or move that file") from None
    with draft.path.open("xb") as handle:
        try:
            handle.write(data)
            handle.flush()  # a full disk fails here, while the file can still be removed
        except BaseException:
            draft.path.unlink(missing_ok=True)
            raise


def _audience(request: Request, personas: dict[str, Persona]) -> Audience:
    if request.audience:
        audience = Audience(request.audience)
        other = next((pid for pid in request.personas if not reads(personas[pid].audience, audience)), None)
        if other:
            raise ScaffoldError(f"persona `{other}` is a `{personas[other].audience.value}` persona and --audience "
                                f"{audience.value} publishes where it does not read (CP116); choose a persona of that "
                                "audience, or another --audience (`all` publishes on both sites)")
        return audience
    audiences = {personas[pid].audience for pid in request.personas}
    if len(audiences) > 1:
        raise ScaffoldError(f"these personas are for different audiences ({', '.join(sorted(a.value for a in audiences))}); choose one with --audience")
    return audiences.pop()

