package contracts

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mizan-budget/mizan"
)

// ExportColumns are the columns of an export, in order.
var ExportColumns = []string{
	"kind", "dataset", "version", "record_id", "ocid", "title",
	"buyer", "buyer_entity", "suppliers", "supplier_entities",
	"method", "method_details", "competitive", "tenderers",
	"date", "year", "amount", "currency", "red_flags", "transaction",
	"source_file", "source_sha256", "source_pointer", "source_value", "source_row",
}

// MaxExportRecords bounds the records one export writes; a search with
// more is refused, so that a request cannot hold a server for long.
const MaxExportRecords = 2_000_000

// Export writes every record of a search as CSV to w, in the search's
// order (paging ignored): one row per process or payment, with its dataset
// version and source. begin is called once the versions are known and
// before anything is written. Free-text cells (titles, names) are made
// safe for spreadsheets (mizan.SafeCell); amounts, dates and ids are
// written as they are.
func (s *Service) Export(ctx context.Context, q SearchQuery, w io.Writer, begin func(versions []VersionRef, total int) error) (int, error) {
	m, err := s.match(ctx, &q)
	if err != nil {
		return 0, err
	}
	if m.total > MaxExportRecords {
		return 0, mizan.Errorf(mizan.EEXHAUSTED, "the search matches %d records; an export holds at most %d: narrow it with filters", m.total, MaxExportRecords)
	}
	if err := begin(m.versions, m.total); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return 0, err
	}
	refs := selectPage(m.ixs, m.per, q.Sort, q.Ascending, 0, m.total)
	row := make([]string, len(ExportColumns))
	for n, r := range refs {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		h := m.ixs[r.ix].hit(r.rec)
		var names, ids []string
		for _, p := range h.Suppliers {
			names, ids = append(names, p.Name), append(ids, p.Entity)
		}
		competitive := ""
		if h.Competitive != nil {
			competitive = strconv.FormatBool(*h.Competitive)
		}
		tenderers := ""
		if h.Tenderers >= 0 && h.Kind == KindProcess {
			tenderers = strconv.Itoa(h.Tenderers)
		}
		year := ""
		if h.Year > 0 {
			year = strconv.Itoa(h.Year)
		}
		row = append(row[:0],
			h.Kind, h.Dataset, strconv.Itoa(h.Version), strconv.FormatInt(h.RecordID, 10), h.OCID, mizan.SafeCell(h.Title),
			mizan.SafeCell(h.Buyer.Name), h.Buyer.Entity, mizan.SafeCell(strings.Join(names, "; ")), strings.Join(ids, "; "),
			h.Method, mizan.SafeCell(h.MethodDetails), competitive, tenderers,
			h.Date, year, h.Amount, h.Currency, strings.Join(h.Flags, "; "), mizan.SafeCell(h.Attributes["transaction"]),
			h.Source.File, h.Source.SHA256, h.Source.Pointer, sourceValue(h), sourceRow(h))
		if err := cw.Write(row); err != nil {
			return n, err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return len(refs), fmt.Errorf("write export: %w", err)
	}
	return len(refs), nil
}

func sourceValue(h Hit) string {
	if h.Kind != KindProcess {
		return ""
	}
	return strconv.Itoa(h.Source.Value)
}

func sourceRow(h Hit) string {
	if h.Source.Row == 0 {
		return ""
	}
	return strconv.FormatInt(h.Source.Row, 10)
}
