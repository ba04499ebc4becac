package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/mizan-budget/mizan/store"
)

func (m *Main) datasets(ctx context.Context, args []string) error {
	fs := m.flagSet("datasets")
	asJSON := fs.Bool("json", false, "print JSON")
	drafts := fs.Bool("drafts", false, "include draft versions")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Options{Dir: m.DataDir})
	if err != nil {
		return err
	}
	defer db.Close()
	all, err := db.ListDatasets(ctx, *drafts)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATASET\tVERSION\tSTATUS\tROWS\tREJECTED\tYEARS\tCURRENCY\tCREATED\tTITLE")
	for _, d := range all {
		title := d.Title.Get("en")
		if d.Synthetic {
			title += " [synthetic]"
		}
		for _, v := range d.Versions {
			years := ""
			if n := len(v.Years); n > 0 {
				years = fmt.Sprintf("%d-%d", v.Years[0], v.Years[n-1])
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", d.ID, v.Number, v.Status, v.Rows, v.Rejected, years, d.Currency, v.CreatedAt.Format("2006-01-02 15:04"), title)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range all {
		if v, ok := d.Latest(*drafts); ok {
			fmt.Fprintf(m.Stdout, "\n%s v%d sources:\n", d.ID, v.Number)
			for _, s := range v.Sources {
				name := s.Name
				if s.Sheet != "" {
					name += "#" + s.Sheet
				}
				fmt.Fprintf(m.Stdout, "  %s  %s  %d rows  %s\n", s.SHA256, name, s.Rows, s.URL)
			}
		}
	}
	return nil
}
