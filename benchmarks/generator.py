"""A synthetic hub: N approved French articles in topic sections, like a real content hub.

Deterministic for a given N (seeded), so two runs measure the same content.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

from carepress.compliance.approval import Approval, approve_file, fingerprint_of_data
from carepress.compliance.attachments import file_digest
from carepress.model.loader import parse_article

REPO = Path(__file__).resolve().parents[1]
SECTION_SIZE = 25  # articles per section (a theme's folder)
SECTIONS_PER_FOLDER = 10  # sections per sub-topic folder: a hub grows by sub-topics, not by ever longer menus
TODAY = "2026-11-22"  # the benchmark judges expiry as of this date (CAREPRESS_TODAY)

TOPICS = {
    "diabete-type-2": ("Diabète de type 2", "patient-dt2-recent"),
    "asthme": ("Asthme", "patient-asthme"),
    "aidants": ("Aider un proche diabétique", "aidant-dt2"),
}
SUBJECTS = ["l'alimentation", "l'activité physique", "le sommeil", "le suivi médical", "la vie au travail",
            "les voyages", "le stress", "les examens de contrôle", "la vie de famille", "les saisons"]
STAGES = ["attract", "convert", "close", "delight", "attraction", "fidélisation"]
SENTENCES = [
    "Chaque situation est différente et mérite d'être discutée avec son médecin traitant.",
    "Quelques repères simples permettent d'organiser sa journée sans se décourager.",
    "Il est utile de noter ses questions avant une consultation pour ne rien oublier.",
    "Les proches peuvent aider à repérer les signes qui doivent alerter.",
    "Une activité régulière et adaptée à son rythme contribue au bien-être au quotidien.",
    "Le pharmacien reste un interlocuteur disponible pour répondre aux questions pratiques.",
    "Mieux comprendre la maladie aide à dialoguer avec l'équipe soignante.",
    "Les recommandations évoluent : elles sont revues régulièrement par les autorités de santé.",
    "Prendre le temps de s'informer auprès de sources fiables évite bien des inquiétudes.",
    "Les associations de patients proposent des temps d'échange et de partage d'expérience.",
    "Un carnet de suivi facilite la préparation des rendez-vous et le partage des informations.",
    "Les horaires réguliers des repas participent à l'équilibre de la journée.",
    "Il n'existe pas de solution unique : chacun avance à son rythme.",
    "Parler de ses difficultés fait partie du suivi, au même titre que les examens.",
]
REFERENCES = ["HAS, Stratégie thérapeutique du patient vivant avec un diabète de type 2, 2024",
              "Assurance Maladie, Diabète : bien s'alimenter, ameli.fr",
              "HAS, Guide du parcours de soins asthme, 2023"]
# A 1×1 transparent PNG: every article shows an image without weighing on the benchmark.
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
IMAGE = "images/illustration.png"  # in the content folder; each article's approval records it (CP205)


def approval(index: int) -> dict:
    """The validation block of an approved article (its fingerprint is added by `_document`)."""
    return {
        "status": "approved",
        "code": f"FR-BENCH-2026-{index:05d}",
        "approved": "2026-10-01",
        "expires": "2027-10-01",
        "reviewers": {"medical": "Dr A. Martin", "legal": "B. Durand", "regulatory": "C. Petit"},
    }


def front_matter(index: int, topic: str, subject: str, body: str, rng: random.Random) -> dict:
    label, persona = TOPICS[topic]
    audience = "caregiver" if persona == "aidant-dt2" else rng.choice(["patient", "patient", "all"])
    return {
        "title": f"{label} : {subject}, repère n° {index}",
        "description": f"Des repères pratiques sur {subject} pour vivre au quotidien avec "
                       f"{label.lower()} : conseils simples et questions à poser à son médecin (fiche {index}).",
        "audience": audience,
        "persona": [persona],
        "funnel_stage": rng.choice(STAGES),
        "content_type": "disease_awareness",
        "topic": "asthme" if topic == "asthme" else "diabete-type-2",
        "keywords": {"primary": f"{label.lower()} {subject.split(' ', 1)[-1].lstrip(chr(39))} {index}",
                     "secondary": [f"{subject} et {label.lower()}"]},
        "references": rng.sample(REFERENCES, 2),
        "validation": approval(index),
    }


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def body(index: int, title: str, neighbours: list[str], image: str, rng: random.Random) -> str:
    """About 900 words: sections, lists, links to neighbouring articles and an image."""
    parts = [f"# {title}", "", paragraph(rng, 5), ""]
    for section in range(1, 7):
        parts += [f"## Point {section} : {rng.choice(SUBJECTS)}", "", paragraph(rng, 5), ""]
        if section % 2:
            parts += [f"- {rng.choice(SENTENCES)}" for _ in range(4)] + [""]
        if section == 3:
            parts += [f"![Illustration de la fiche {index}]({image}){{ loading=lazy }}", ""]
        if section == 4:
            parts += [f"### À lire aussi", ""] + [f"- [Fiche voisine {n + 1}]({link})" for n, link in enumerate(neighbours)] + [""]
        parts += [paragraph(rng, 5), ""]
    return "\n".join(parts)


def generate(root: Path, count: int, seed: int = 7) -> Path:
    """Write a hub of `count` articles at `root` (mkdocs.yml, site_config/, theme/, content/, vanilla.yml)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site_config", root / "site_config")
    shutil.copytree(REPO / "theme", root / "theme")
    write_vanilla_config(root)
    content = root / "content"
    (content / "images").mkdir(parents=True)
    (content / IMAGE).write_bytes(PIXEL)
    image_digest = file_digest(content / IMAGE)
    rng = random.Random(seed)
    topics = list(TOPICS)
    placements = []  # (index, topic, section folder)
    for index in range(1, count + 1):
        topic = topics[(index - 1) % len(topics)]
        section = (index - 1) // len(topics) // SECTION_SIZE
        subtopic = section // SECTIONS_PER_FOLDER + 1
        placements.append((index, topic, f"{topic}/dossier-{subtopic:02d}/theme-{section + 1:03d}"))
    by_section: dict[str, list[int]] = {}
    for index, _, folder in placements:
        by_section.setdefault(folder, []).append(index)
    _write(content / "index.md", "Accueil", "# Accueil\n\nInformations santé validées, classées par thème.\n", 0)
    for folder in sorted({folder.rsplit("/", 1)[0] for folder in by_section}):
        topic, name = folder.split("/")
        _write(content / folder / "index.md", f"{TOPICS[topic][0]} — {name}",
               f"# {TOPICS[topic][0]} — {name}\n\nLes thèmes de ce dossier.\n", 0)
    for folder in by_section:
        topic, _, name = folder.split("/")
        _write(content / folder / "index.md", f"{TOPICS[topic][0]} — {name}",
               f"# {TOPICS[topic][0]} — {name}\n\nLes fiches de ce thème.\n", 0)
    for index, topic, folder in placements:
        subject = SUBJECTS[index % len(SUBJECTS)]
        title = f"{TOPICS[topic][0]} : {subject}, repère n° {index}"
        siblings = [i for i in by_section[folder] if i != index][:3]
        text = body(index, title, [f"fiche-{i:05d}.md" for i in siblings], "../../../images/illustration.png", rng)
        meta = front_matter(index, topic, subject, text, rng)
        meta["validation"]["attachments"] = {IMAGE: image_digest}  # as `carepress approve` records it
        (content / folder / f"fiche-{index:05d}.md").write_text(_document(meta, text), encoding="utf-8")
    return root


def _write(path: Path, title: str, text: str, index: int) -> None:
    """A corporate page (home or section index): for every audience, no persona."""
    meta = {"title": title, "audience": "all", "persona": [], "funnel_stage": "attract", "content_type": "corporate",
            "topic": "diabete-type-2", "keywords": {"primary": title.lower()}, "validation": approval(index)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_document(meta, text), encoding="utf-8")


def reapprove(path: Path) -> None:
    """After an edit, approve the article again as `carepress approve` would (same code, reviewers, dates), its
    attached files recorded (the hub's `content` folder is the closest of that name above it)."""
    content = next(folder for folder in path.resolve().parents if folder.name == "content")
    src_uri = path.resolve().relative_to(content).as_posix()
    loaded = parse_article(path.read_bytes(), src_uri, str(path))
    validation = loaded.article.meta.validation
    reviewers = validation.reviewers
    approve_file(path, Approval(validation.code, reviewers.medical, reviewers.legal, reviewers.regulatory,
                                validation.approved, validation.expires), src_uri, str(path), content)


def _document(meta: dict, text: str) -> str:
    """The file, approved as `carepress approve` would: the fingerprint of this front-matter and body."""
    meta["validation"]["fingerprint"] = fingerprint_of_data(meta, text)
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + text


def write_vanilla_config(root: Path) -> Path:
    """The same site with MkDocs and Material alone: the hub's mkdocs.yml without CarePress plugins."""
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    plugins = config.get("plugins") or {}
    config["plugins"] = {name: options for name, options in plugins.items() if not name.startswith("carepress/")}
    config["site_dir"] = "site/vanilla"
    path = root / "vanilla.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
