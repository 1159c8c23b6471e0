"""Stable error codes (in the spirit of Saleor's ``error_codes.py``).

Codes are part of the public contract: the API, the CLI and the web UI show them, and clients may
branch on them. Add new codes; never rename or reuse one.
"""

from enum import StrEnum


class SubmissionErrorCode(StrEnum):
    # The file as a whole
    FILE_EMPTY = "file_empty"
    HEADER_ONLY = "header_only"
    FILE_TOO_LARGE = "file_too_large"
    DECOMPRESSED_TOO_LARGE = "decompressed_too_large"
    ARCHIVE_INVALID = "archive_invalid"
    ENCODING_INVALID = "encoding_invalid"
    CSV_MALFORMED = "csv_malformed"
    # The header
    COLUMNS_MISSING = "columns_missing"
    COLUMNS_EXTRA = "columns_extra"
    COLUMNS_DUPLICATED = "columns_duplicated"
    COLUMNS_OUT_OF_ORDER = "columns_out_of_order"
    # The rows and their ids
    ROW_COUNT_MISMATCH = "row_count_mismatch"
    IDS_MISSING = "ids_missing"
    IDS_UNKNOWN = "ids_unknown"
    IDS_DUPLICATED = "ids_duplicated"
    ID_INVALID = "id_invalid"
    # The values
    VALUE_MISSING = "value_missing"
    VALUE_NOT_NUMERIC = "value_not_numeric"
    VALUE_NOT_FINITE = "value_not_finite"
    VALUE_OUT_OF_RANGE = "value_out_of_range"
    LABEL_UNKNOWN = "label_unknown"
    VALUE_INVALID_FORMAT = "value_invalid_format"


class SolutionErrorCode(StrEnum):
    FILE_UNREADABLE = "solution_unreadable"
    USAGE_MISSING = "solution_usage_missing"
    USAGE_INVALID = "solution_usage_invalid"
    NO_PUBLIC_ROWS = "solution_no_public_rows"
    NO_PRIVATE_ROWS = "solution_no_private_rows"
    IDS_DUPLICATED = "solution_ids_duplicated"
    IDS_MISSING = "solution_ids_missing"
    TARGET_INVALID = "solution_target_invalid"
    COLUMNS_INVALID = "solution_columns_invalid"
    PREPARED_STALE = "solution_prepared_stale"


class ScoringErrorCode(StrEnum):
    UNKNOWN_METRIC = "unknown_metric"
    METRIC_FILE_INVALID = "metric_file_invalid"
    PARTICIPANT_VISIBLE = "participant_visible_error"
    SCORING_ERROR = "scoring_error"
