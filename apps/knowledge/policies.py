"""The numbers of the case library (SPEC KB-1) as named values."""

from apps.accounts.choices import Role
from apps.knowledge.choices import IndexField

# Who reads every case, drafts and deactivated ones included, and may edit any of them: the
# heads who vet what the library teaches. Everyone else reads published, active cases and his own.
EDITORS = frozenset({Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR, Role.QUALITY})

# Ranking (BM25 per field, the fields' scores added with these weights): what the customer saw and
# the title say most about whether a past case is the same problem; the fix and the notes less.
FIELD_WEIGHTS = {
    IndexField.TITLE: 3.0,
    IndexField.SYMPTOM: 2.5,
    IndexField.TAGS: 2.0,
    IndexField.PRODUCT: 1.5,
    IndexField.CAUSE: 1.2,
    IndexField.FIX: 0.8,
    IndexField.LESSONS: 0.5,
}
BM25_K1 = 1.2  # how fast repeating a word stops adding to the score
BM25_B = 0.75  # how much a long field is discounted against the average length of that field

# A word of the query's synonym list (dictionary/synonyms.txt) counts this much of the word typed.
SYNONYM_WEIGHT = 0.6

# Suggestions for a new or open work order: cases of the same instrument model, reagent or lot
# rank higher (multiplied), without hiding good matches of other models.
MODEL_BOOST = 1.5
ITEM_BOOST = 1.3
LOT_BOOST = 1.3
SUGGESTIONS_SHOWN = 5

# A query is cut to this many characters and terms (a pasted report must not become a huge query).
QUERY_MAX_CHARS = 500
QUERY_MAX_TERMS = 32
# Pure numbers shorter than this are quantities ("30 分钟"), not identifiers (lot 20260301).
NUMBER_MIN_LENGTH = 4

PAGE_SIZE = 20
SNIPPET_CHARS = 140  # the symptom shown in a result, around its first matched word
TITLE_FROM_TEXT_CHARS = 60  # a title taken from a complaint's or job's description

# Rebuilding the whole index (management command, Huey task) works in batches of cases.
REBUILD_BATCH = 500
