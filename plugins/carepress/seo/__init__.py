"""SEO: metadata, JSON-LD, sitemap and robots, keyword assessments, the review report."""
