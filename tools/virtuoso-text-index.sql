-- Virtuoso's text index for whosaid's `words` search (README, "Full text on Virtuoso").
-- Run once as dba:  isql-vt HOST:1111 dba PASSWORD < tools/virtuoso-text-index.sql
-- then serve and write with WHOSAID_STORE_TEXT_INDEX=true.
-- The account that writes (WHOSAID_STORE_USER) is whosaid_writer here: change the last line if
-- yours has another name. testbeds/virtuoso.py runs this file on the Virtuoso the tests and the benchmark start.

-- Index the texts `words` searches: a claim's statement, its quote, and its evidence.
DB.DBA.RDF_OBJ_FT_RULE_ADD (null, 'https://w3id.org/whosaid/ontology#statement', 'whosaid');
DB.DBA.RDF_OBJ_FT_RULE_ADD (null, 'https://w3id.org/whosaid/ontology#quote', 'whosaid');
DB.DBA.RDF_OBJ_FT_RULE_ADD (null, 'http://www.w3.org/ns/oa#exact', 'whosaid');
DB.DBA.VT_INC_INDEX_DB_DBA_RDF_OBJ ();

-- Virtuoso adds new texts to the index in batches; whosaid brings it up to date after each
-- write, as the writer, which needs these grants (the second runs a large batch).
GRANT EXECUTE ON DB.DBA.VT_INC_INDEX_DB_DBA_RDF_OBJ TO "whosaid_writer";
GRANT EXECUTE ON DB.DBA.VT_BATCH_REAL_PROCESS_1_DB_DBA_RDF_OBJ TO "whosaid_writer";
