"""reqforge: requirements as Markdown + YAML front matter in git."""

__version__ = "0.1.0"
