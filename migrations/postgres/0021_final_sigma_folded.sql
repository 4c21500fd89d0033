-- Search text folds the Greek final sigma (ς) to σ, as the file's step
-- 0021 does (decision 258): the text stored by older versions is folded
-- again.
UPDATE eacs SET search_text = replace(search_text, 'ς', 'σ')
 WHERE strpos(search_text, 'ς') > 0;
UPDATE refdata
   SET ref_id_folded = replace(ref_id_folded, 'ς', 'σ'),
       label_folded = replace(label_folded, 'ς', 'σ')
 WHERE strpos(ref_id_folded, 'ς') > 0 OR strpos(label_folded, 'ς') > 0;
UPDATE eacdesk_schema SET version = 21;
