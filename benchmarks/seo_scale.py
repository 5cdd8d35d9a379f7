"""Time `carepress check` and `carepress report seo` on a generated hub of N articles.

    .venv/bin/python benchmarks/seo_scale.py 10000

Performance is measured here, not asserted in tests (the machine is shared).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import front_matter  # noqa: E402

WORDS = ("diabète alimentation repas glycémie activité physique médecin suivi traitement asthme crise souffle "
         "inhalateur enfant parent quotidien sommeil fatigue conseil question réponse semaine").split()
STAGES = ("attract", "convert", "close", "delight")


def generate(root: Path, count: int) -> None:
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site_config", root / "site_config")
    rng = random.Random(4)
    content = root / "content"
    for index in range(count):
        topic = f"sujet-{index % 50}"
        keyword = " ".join(rng.sample(WORDS, 4))
        body = (f"# {keyword.capitalize()}\n\n" + " ".join(rng.choices(WORDS, k=80)) + ".\n\n## Repères\n\n"
                + " ".join(rng.choices(WORDS, k=400)) + f"\n\n[Suite](page-{(index + 1) % count}.md) · "
                "[HAS](https://www.has-sante.fr/)\n")
        file = content / topic / f"page-{index}.md"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(front_matter(title=keyword.capitalize(), topic=topic, funnel_stage=STAGES[index % 4],
                                     keywords={"primary": keyword}) + "\n" + body, encoding="utf-8")
    (content / "index.md").write_text(front_matter(title="Accueil") + "\n# Accueil\n", encoding="utf-8")


def timed(root: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "carepress", *args], cwd=root, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(root, count)
        print(f"{count} articles: check {timed(root, 'check', '--format', 'json', '-o', 'out.json'):.1f} s, "
              f"report seo {timed(root, 'report', 'seo'):.1f} s")


if __name__ == "__main__":
    main()
