-- Search text folds the Greek final sigma (ς) to σ (decision 258).
--
-- Folding was Unicode lowercase alone, which writes Σ at the end of a word
-- as ς and elsewhere as σ: the name `ΟΔΥΣΣΕΑΣ` was stored as `οδυσσεας`,
-- while the query `ΟΔΥΣ` (the start of it, as an analyst types it) folded
-- to `οδυς` and found nothing. Text is now folded with ς as σ on both
-- sides (`fold::fold`, and `eacdesk_fold()` for SQL); the text stored by
-- older versions is folded again here.
UPDATE eac_search SET text = replace(text, 'ς', 'σ') WHERE instr(text, 'ς') > 0;
UPDATE refdata
   SET ref_id_folded = replace(ref_id_folded, 'ς', 'σ'),
       label_folded = replace(label_folded, 'ς', 'σ')
 WHERE instr(ref_id_folded, 'ς') > 0 OR instr(label_folded, 'ς') > 0;
