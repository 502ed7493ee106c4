"""rmresearch: evaluate reciprocal and reverse mentoring schemes for race equality.

Reproducible, privacy-safe evaluation: anonymise interview transcripts, code
qualitative themes, analyse awarding gaps, staff progression and the programme
itself, and report each cohort through parameterised notebooks.
"""

__version__ = "0.1.0"


def _install_figure_text_hook() -> None:
    """In a running IPython kernel, every figure shown carries the texts drawn in it (see rmresearch.figuretext)."""
    import sys

    if "IPython" in sys.modules:
        from .figuretext import install_hook

        install_hook()


_install_figure_text_hook()
