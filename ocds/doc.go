// Package ocds reads Open Contracting Data Standard (OCDS) publications and
// turns them into Mizan's procurement model.
//
// Reading ([Read], [ReadFile]) detects every packaging form — release
// packages, record packages (with releases, linked releases, compiled or
// versioned releases), single, compiled and versioned releases, arrays of
// any of these, concatenated JSON values and JSON Lines — inside plain,
// gzip or zip files (by magic bytes), in UTF-8 with or without a byte order
// mark and in ISO-8859-1. It streams: a package's releases or records array
// is read one element at a time with json.Decoder tokens, so a large file is
// never held whole. The 2014 draft schema used by Canada's buyandsell.gc.ca
// (releaseTag, formation, contractValue, id.name...) is mapped to OCDS 1.1
// on the way in (see [MapCanada2014]).
//
// Typing is tolerant: numbers written as strings, a string tag, a missing
// release id or date are read and reported as [Problem]s (file, ocid, JSON
// pointer, message) instead of failing the file; only a JSON syntax error
// stops the rest of a JSON value from loading.
//
// A [Compiler] groups the releases of many files by ocid (spilling them to a
// temporary file, so memory holds an index, not the releases) and [Merge]s
// each group into a compiled release with the OCDS merge rules; [Extract]
// turns a compiled release into a [Process] with exact decimals
// (parse.Decimal) and a currency on every value. Unknown fields and
// extensions are kept in the compiled release's raw JSON.
//
// [NormalizeName] and [Resolver] group parties into entities: identifiers
// (scheme and id) win over names; names are compared after case,
// punctuation, accents and Arabic letter forms are folded (textnorm.Fold)
// and legal-form suffixes (LTD, LIMITED, INC, LLC, S.A., S.A. DE C.V., SRL,
// GMBH, ش.م.م, ذ.م.م...) are removed.
package ocds
