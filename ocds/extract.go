package ocds

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/mizan-budget/mizan/ingest/parse"
)

// Extract turns a compiled record into a Process. res resolves parties to
// entities (nil: every party is its own name). Values that cannot be read
// exactly are reported and left unset; nothing else fails.
func Extract(rec *Record, res *Resolver) (*Process, []Problem) {
	if res == nil {
		res = NewResolver()
	}
	c := rec.Compiled
	x := &extractor{rec: rec, res: res, refs: map[string]int{}}
	if len(rec.Releases) > 0 {
		x.src = rec.Releases[len(rec.Releases)-1].Src
	}
	p := &Process{OCID: rec.OCID, Releases: len(rec.Releases), Date: str(c["date"]), Language: str(c["language"])}
	x.p = p
	seenTag := map[string]bool{}
	for _, r := range rec.Releases {
		p.Sources = append(p.Sources, r.Src)
		for _, t := range r.Tag {
			if !seenTag[t] {
				seenTag[t] = true
				p.Tags = append(p.Tags, t)
			}
		}
	}
	raw, err := json.Marshal(c)
	if err == nil {
		p.Compiled = raw
	}
	// Parties first, so references resolve to them.
	for i, v := range arr(c["parties"]) {
		pm, ok := v.(map[string]any)
		if !ok {
			x.problem(fmt.Sprintf("/parties/%d", i), "a party is %s, not an object; ignored", kindOf(v))
			continue
		}
		x.party(pm, fmt.Sprintf("/parties/%d", i), "")
	}
	if b, ok := c["buyer"].(map[string]any); ok {
		ref := x.ref(b, "/buyer", "buyer")
		p.Buyer = ref
	}
	if t, ok := c["tender"].(map[string]any); ok {
		p.Tender = x.tender(t)
	}
	for i, v := range arr(c["awards"]) {
		am, ok := v.(map[string]any)
		if !ok {
			x.problem(fmt.Sprintf("/awards/%d", i), "an award is %s, not an object; ignored", kindOf(v))
			continue
		}
		p.Awards = append(p.Awards, x.award(am, fmt.Sprintf("/awards/%d", i)))
	}
	for i, v := range arr(c["contracts"]) {
		cm, ok := v.(map[string]any)
		if !ok {
			x.problem(fmt.Sprintf("/contracts/%d", i), "a contract is %s, not an object; ignored", kindOf(v))
			continue
		}
		p.Contracts = append(p.Contracts, x.contract(cm, fmt.Sprintf("/contracts/%d", i)))
	}
	if pl, ok := c["planning"].(map[string]any); ok {
		switch b := pl["budget"].(type) {
		case map[string]any:
			p.Budget = append(p.Budget, x.budget(b, "/planning/budget"))
		case []any:
			for i, v := range b {
				if bm, ok := v.(map[string]any); ok {
					p.Budget = append(p.Budget, x.budget(bm, fmt.Sprintf("/planning/budget/%d", i)))
				}
			}
		}
	}
	// A buyer only named in parties (role buyer).
	if p.Buyer == nil {
		for i := range p.Parties {
			if hasRole(p.Parties[i].Roles, "buyer") {
				p.Buyer = &PartyRef{Party: i, Name: p.Parties[i].Name}
				break
			}
		}
	}
	if p.Tender != nil {
		p.Title, p.Description = p.Tender.Title, p.Tender.Description
	}
	if p.Title == "" {
		for _, a := range p.Awards {
			if a.Title != "" {
				p.Title = a.Title
				break
			}
		}
	}
	if p.Title == "" {
		for _, ct := range p.Contracts {
			if ct.Title != "" {
				p.Title = ct.Title
				break
			}
		}
	}
	if p.Title == "" {
		if pl, ok := c["planning"].(map[string]any); ok {
			p.Title = str(getPath(pl, "budget", "project"))
		}
	}
	if p.Title == "" && p.Tender != nil && p.Tender.MethodDetails != "" && len(p.Awards) > 0 && len(p.Awards[0].Items) > 0 {
		p.Title = p.Awards[0].Items[0].Description
	}
	return p, x.probs
}

type extractor struct {
	rec   *Record
	res   *Resolver
	p     *Process
	src   Source
	refs  map[string]int // party ref (id) → index
	probs []Problem
}

func (x *extractor) problem(path, format string, args ...any) {
	x.probs = append(x.probs, Problem{File: x.src.File, Value: x.src.Value, OCID: x.rec.OCID, Path: "compiled:" + path, Message: fmt.Sprintf(format, args...)})
}

func arr(v any) []any {
	a, _ := v.([]any)
	return a
}

func hasRole(roles []string, r string) bool {
	for _, x := range roles {
		if strings.EqualFold(x, r) {
			return true
		}
	}
	return false
}

func (x *extractor) party(pm map[string]any, ptr, role string) int {
	ref := strings.TrimSpace(str(pm["id"]))
	name := strings.TrimSpace(str(pm["name"]))
	id := identifierOf(pm["identifier"])
	if ref != "" {
		if i, ok := x.refs[ref]; ok {
			pt := &x.p.Parties[i]
			if role != "" && !hasRole(pt.Roles, role) {
				pt.Roles = append(pt.Roles, role)
			}
			if pt.Name == "" && name != "" {
				pt.Name = name
				pt.NormName = NormalizeName(name)
				pt.Entity = x.res.Key(name, pt.Identifier)
			}
			if pt.Identifier.Key() == "" && id.Key() != "" {
				pt.Identifier = id
				pt.Entity = x.res.Key(pt.Name, id)
			}
			return i
		}
	} else if name != "" {
		// OCDS 1.0 organisations carry no id: the same name is the same party.
		if i, ok := x.refs["\x00"+NormalizeName(name)+"\x00"+id.Key()]; ok {
			if role != "" && !hasRole(x.p.Parties[i].Roles, role) {
				x.p.Parties[i].Roles = append(x.p.Parties[i].Roles, role)
			}
			return i
		}
	}
	pt := Party{Ref: ref, Name: name, Identifier: id, NormName: NormalizeName(name), Pointer: ptr}
	for _, a := range arr(pm["additionalIdentifiers"]) {
		if ai := identifierOf(a); ai.ID != "" {
			pt.Additional = append(pt.Additional, ai)
		}
	}
	for _, r := range arr(pm["roles"]) {
		if s := str(r); s != "" && !hasRole(pt.Roles, s) {
			pt.Roles = append(pt.Roles, s)
		}
	}
	if role != "" && !hasRole(pt.Roles, role) {
		pt.Roles = append(pt.Roles, role)
	}
	pt.Entity = x.res.Key(name, id)
	if name == "" && id.Key() == "" {
		x.problem(ptr, "the organisation has no name and no identifier")
	}
	i := len(x.p.Parties)
	x.p.Parties = append(x.p.Parties, pt)
	if ref != "" {
		x.refs[ref] = i
	} else {
		x.refs["\x00"+pt.NormName+"\x00"+id.Key()] = i
	}
	return i
}

// ref resolves an organisation reference (1.1: id and name pointing into
// parties; 1.0: a full organisation) and adds role to it.
func (x *extractor) ref(om map[string]any, ptr, role string) *PartyRef {
	i := x.party(om, ptr, role)
	return &PartyRef{Party: i, Name: x.p.Parties[i].Name}
}

func (x *extractor) value(v any, ptr string) Value {
	vm, ok := v.(map[string]any)
	if !ok {
		if v != nil {
			x.problem(ptr, "value is %s, not an object; ignored", kindOf(v))
		}
		return Value{}
	}
	out := Value{Currency: strings.ToUpper(strings.TrimSpace(str(vm["currency"])))}
	a, has := vm["amount"]
	if !has || a == nil {
		return Value{}
	}
	d, err := Amount(a)
	if err != nil {
		x.problem(ptr+"/amount", "%v; the value is left out", err)
		return Value{}
	}
	out.Amount, out.Set = d, true
	if out.Currency == "" {
		x.problem(ptr+"/currency", "the value %s has no currency", d)
	}
	return out
}

// Amount reads an OCDS amount: a JSON number, or a number written as a
// string ("2176", "1,234.50", "1.234,50"), exactly.
func Amount(v any) (parse.Decimal, error) {
	switch t := v.(type) {
	case json.Number:
		return parse.ParseAmount(t.String(), parse.NumberFormat{DecimalSep: '.'})
	case string:
		s := strings.TrimSpace(t)
		if s == "" {
			return parse.Decimal{}, fmt.Errorf("the amount is an empty string")
		}
		d, err := parse.ParseAmount(s, parse.NumberFormat{})
		if err != nil {
			return parse.Decimal{}, err
		}
		return d, nil
	case float64:
		return parse.ParseAmount(strconv.FormatFloat(t, 'f', -1, 64), parse.NumberFormat{DecimalSep: '.'})
	}
	return parse.Decimal{}, fmt.Errorf("the amount is %s, not a number", kindOf(v))
}

// Date returns the YYYY-MM-DD part of an OCDS date-time, "" when unreadable.
func Date(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if t := ParseTime(s); !t.IsZero() {
		if t.Year() < 1 {
			return "" // "0000-01-01": no such year (time.Parse takes it)
		}
		return t.Format("2006-01-02")
	}
	if d, err := parse.ParseDate(s, ""); err == nil {
		return d.String()
	}
	return ""
}

func (x *extractor) date(v any, ptr string) string {
	s := str(v)
	if s == "" {
		return ""
	}
	d := Date(s)
	if d == "" {
		x.problem(ptr, "%q is not a date; ignored", s)
	}
	return d
}

func (x *extractor) period(v any, ptr string) Period {
	m, ok := v.(map[string]any)
	if !ok {
		return Period{}
	}
	return Period{Start: x.date(m["startDate"], ptr+"/startDate"), End: x.date(m["endDate"], ptr+"/endDate")}
}

func (x *extractor) items(v any, ptr string) []Item {
	var out []Item
	for i, it := range arr(v) {
		im, ok := it.(map[string]any)
		if !ok {
			continue
		}
		p := fmt.Sprintf("%s/%d", ptr, i)
		item := Item{ID: str(im["id"]), Description: strings.TrimSpace(str(im["description"])), Quantity: str(im["quantity"]), Pointer: p}
		if cl, ok := im["classification"].(map[string]any); ok {
			item.Scheme, item.Classification, item.ClassDesc = str(cl["scheme"]), str(cl["id"]), str(cl["description"])
		}
		if u, ok := im["unit"].(map[string]any); ok {
			item.Unit = str(u["name"])
			item.UnitValue = x.value(u["value"], p+"/unit/value")
		}
		if item.Description == "" {
			item.Description = item.ClassDesc
		}
		out = append(out, item)
	}
	return out
}

func (x *extractor) tender(t map[string]any) *Tender {
	td := &Tender{ID: str(t["id"]), Title: strings.TrimSpace(str(t["title"])), Description: strings.TrimSpace(str(t["description"])),
		Status: str(t["status"]), Method: strings.ToLower(strings.TrimSpace(str(t["procurementMethod"]))),
		MethodDetails:     strings.TrimSpace(str(t["procurementMethodDetails"])),
		MethodRationale:   strings.TrimSpace(str(t["procurementMethodRationale"])),
		NumberOfTenderers: -1, Pointer: "/tender"}
	if pe, ok := t["procuringEntity"].(map[string]any); ok {
		td.ProcuringEntity = x.ref(pe, "/tender/procuringEntity", "procuringEntity")
	}
	for i, v := range arr(t["tenderers"]) {
		if om, ok := v.(map[string]any); ok {
			td.Tenderers = append(td.Tenderers, *x.ref(om, fmt.Sprintf("/tender/tenderers/%d", i), "tenderer"))
		}
	}
	if n, ok := t["numberOfTenderers"]; ok && n != nil {
		d, err := Amount(n)
		v, ierr := strconv.Atoi(d.String())
		if err != nil || ierr != nil || v < 0 {
			x.problem("/tender/numberOfTenderers", "%q is not a count of tenderers; ignored", str(n))
		} else {
			td.NumberOfTenderers = v
		}
	} else if len(td.Tenderers) > 0 {
		td.NumberOfTenderers = len(td.Tenderers)
	}
	td.Period = x.period(t["tenderPeriod"], "/tender/tenderPeriod")
	td.Value = x.value(t["value"], "/tender/value")
	td.Items = x.items(t["items"], "/tender/items")
	return td
}

func (x *extractor) award(a map[string]any, ptr string) Award {
	aw := Award{ID: str(a["id"]), Title: strings.TrimSpace(str(a["title"])), Description: strings.TrimSpace(str(a["description"])),
		Status: str(a["status"]), Date: x.date(a["date"], ptr+"/date"), Pointer: ptr}
	aw.Value = x.value(a["value"], ptr+"/value")
	for i, v := range arr(a["suppliers"]) {
		if om, ok := v.(map[string]any); ok {
			aw.Suppliers = append(aw.Suppliers, *x.ref(om, fmt.Sprintf("%s/suppliers/%d", ptr, i), "supplier"))
		}
	}
	aw.Items = x.items(a["items"], ptr+"/items")
	return aw
}

func (x *extractor) contract(c map[string]any, ptr string) Contract {
	ct := Contract{ID: str(c["id"]), AwardID: str(c["awardID"]), Title: strings.TrimSpace(str(c["title"])),
		Description: strings.TrimSpace(str(c["description"])), Status: str(c["status"]),
		DateSigned: x.date(c["dateSigned"], ptr+"/dateSigned"), Pointer: ptr}
	ct.Period = x.period(c["period"], ptr+"/period")
	ct.Value = x.value(c["value"], ptr+"/value")
	ct.Items = x.items(c["items"], ptr+"/items")
	// The value's history across releases: the earliest value and the value
	// around each amendment.
	type point struct {
		date string
		v    Value
	}
	var hist []point
	for _, r := range x.rec.Releases {
		for _, rc := range arr(r.Data["contracts"]) {
			rcm, ok := rc.(map[string]any)
			if !ok || str(rcm["id"]) != ct.ID {
				continue
			}
			if vm, ok := rcm["value"].(map[string]any); ok && vm["amount"] != nil {
				if d, err := Amount(vm["amount"]); err == nil {
					cur := strings.ToUpper(str(vm["currency"]))
					if cur == "" {
						cur = ct.Value.Currency
					}
					hist = append(hist, point{Date(r.Date), Value{Amount: d, Currency: cur, Set: true}})
				}
			}
		}
	}
	if len(hist) > 0 {
		ct.InitialValue = hist[0].v
	} else {
		ct.InitialValue = ct.Value
	}
	for i, v := range arr(c["amendments"]) {
		am, ok := v.(map[string]any)
		if !ok {
			continue
		}
		p := fmt.Sprintf("%s/amendments/%d", ptr, i)
		a := Amendment{ID: str(am["id"]), Date: x.date(am["date"], p+"/date"), Rationale: strings.TrimSpace(str(am["rationale"])),
			Description: strings.TrimSpace(str(am["description"])), Pointer: p}
		if a.Date != "" {
			for j, h := range hist {
				if h.date != "" && h.date <= a.Date {
					a.ValueAfter = h.v
					if j > 0 {
						a.ValueBefore = hist[j-1].v
					}
				}
			}
		}
		ct.Amendments = append(ct.Amendments, a)
	}
	return ct
}

func (x *extractor) budget(b map[string]any, ptr string) BudgetLink {
	return BudgetLink{ID: str(b["id"]), Description: strings.TrimSpace(str(b["description"])), Project: strings.TrimSpace(str(b["project"])),
		ProjectID: str(b["projectID"]), URI: str(b["uri"]), Amount: x.value(b["amount"], ptr+"/amount"), Pointer: ptr}
}
