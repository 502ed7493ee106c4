"""Qualitative coding: codebook, segments, suggestions, codings, agreement, themes, REFI-QDA exchange.

Coding works only on anonymised transcripts. A typical session::

    from rmresearch.config import load_cohort
    from rmresearch.coding import load_coding_data, suggest_codes, coding_comparison, framework_matrix

    data = load_coding_data(load_cohort("demo"))
    suggestions = suggest_codes(data.segments, data.codebook)   # for coders to accept or reject
    comparison = coding_comparison(data.codings, data.segments)  # if several people coded
    matrix = framework_matrix(data.codings, data.segments, data.participants, codebook=data.codebook)

See :mod:`rmresearch.coding.refi` for exchange with NVivo, ATLAS.ti, MAXQDA
and QualCoder (REFI-QDA ``.qdc`` and ``.qdpx``).
"""

from .agreement import (
    LEVELS,
    alpha_by_code,
    coding_comparison,
    cohen_kappa,
    krippendorff_alpha,
    low_agreement_sentence,
    reliability_matrix,
)
from .analysis import (
    ThemeHeadline,
    caption_passages,
    code_cooccurrence,
    code_frequencies,
    coded_segments,
    cooccurrence_title,
    exemplar_quotes,
    framework_matrix,
    held_back_sentence,
    most_discussed,
    plot_cooccurrence,
    quote_blocks,
    rounded_theme_counts,
    theme_table,
)
from .codebook import (
    Code,
    Codebook,
    CodebookError,
    Rule,
    codebook_from_mapping,
    default_codebook,
    load_codebook,
    read_qdc,
    stable_guid,
    write_codebook,
    write_qdc,
)
from .codings import CODING_COLUMNS, codings_from_frame, read_codings_csv, segment_codes, write_codings_csv
from .cohort import CodingData, cohort_codings_path, load_coding_data, participant_attributes
from .demo import simulate_codings
from .groups import (
    attribute_columns,
    attribute_name,
    characteristic_matrix,
    coincides_with_role,
    disclose_framework_matrix,
    disclose_theme_table,
    label_group_columns,
    disclose_themes_by,
    listing_order,
    listing_rules,
    participant_characteristics,
    themes_by,
    with_role_words,
)
from .refi import QdpxError, QdpxProject, export_qdpx, import_qdpx, validate_project_xml
from .manifest import is_interviewer_label, load_manifest, manifest_problems, read_manifest, speaker_notes, speaker_roles
from .segments import (
    UNITS,
    corpus_counts,
    interviewee_units,
    load_documents,
    read_source_text,
    segment_document,
    segment_documents,
    sentence_spans,
    survey_documents,
)
from .sheet import write_coding_sheet
from .sheet_read import SheetRead, read_coding_sheet
from .suggest import suggest_codes, suggested_pairs, suggestion_agreement

__all__ = [
    # codebook
    "Code", "Codebook", "CodebookError", "Rule", "codebook_from_mapping", "default_codebook", "load_codebook",
    "read_qdc", "write_qdc", "write_codebook", "stable_guid",
    # segments
    "UNITS", "read_source_text", "load_documents", "segment_document", "segment_documents", "sentence_spans",
    "interviewee_units", "survey_documents", "corpus_counts",
    # whose interview is it (inputs.interview_manifest)
    "read_manifest", "load_manifest", "manifest_problems", "is_interviewer_label", "speaker_roles", "speaker_notes",
    # suggestions
    "suggest_codes", "suggested_pairs", "suggestion_agreement",
    # codings
    "CODING_COLUMNS", "read_codings_csv", "codings_from_frame", "write_codings_csv", "segment_codes",
    # agreement
    "LEVELS", "cohen_kappa", "krippendorff_alpha", "coding_comparison", "alpha_by_code", "reliability_matrix",
    "low_agreement_sentence",
    # analysis
    "coded_segments", "code_frequencies", "code_cooccurrence", "plot_cooccurrence", "framework_matrix",
    "exemplar_quotes", "quote_blocks", "theme_table", "cooccurrence_title", "rounded_theme_counts", "most_discussed",
    "ThemeHeadline", "caption_passages", "held_back_sentence",
    # themes by characteristic (options.characteristics) and the disclosed framework matrix
    "participant_characteristics", "attribute_columns", "attribute_name", "listing_order", "listing_rules", "themes_by",
    "disclose_themes_by", "disclose_theme_table", "label_group_columns", "coincides_with_role",
    "characteristic_matrix", "disclose_framework_matrix", "with_role_words",
    # the Excel coding sheet
    "write_coding_sheet", "read_coding_sheet", "SheetRead",
    # REFI-QDA
    "QdpxError", "QdpxProject", "export_qdpx", "import_qdpx", "validate_project_xml",
    # cohort and demo
    "CodingData", "load_coding_data", "participant_attributes", "cohort_codings_path", "simulate_codings",
]
