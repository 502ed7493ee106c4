"""The input layer: every reader of user files lives here.

Readers are imported from their submodules (``rmresearch.io.tables``,
``rmresearch.io.excel``, ``rmresearch.io.text`` ...); this package
re-exports nothing, so importing it costs nothing and no reader has two
import paths.
"""
