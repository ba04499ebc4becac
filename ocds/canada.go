package ocds

import (
	"strconv"
	"strings"
)

// isCanada2014 reports whether a release is in the 2014 draft schema
// buyandsell.gc.ca published (releaseTag, releaseID, formation...).
func isCanada2014(m map[string]any) bool {
	if _, ok := m["tag"]; ok {
		return false
	}
	for _, k := range []string{"releaseTag", "releaseID", "formation"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// canadaMethods maps the draft's formation.method to OCDS
// tender.procurementMethod: "Open Bidding" is an open procedure,
// "Traditional Competitive" a competition among invited suppliers
// (selective), "Traditional Non-Competitive" a sole-source contract
// (limited). The original words are kept in procurementMethodDetails.
var canadaMethods = map[string]string{
	"open bidding":                "open",
	"traditional competitive":     "selective",
	"traditional non-competitive": "limited",
}

// MapCanada2014 maps a release of the 2014 draft OCDS schema (Canada,
// buyandsell.gc.ca contract history) to OCDS 1.1. Each draft release is one
// event of one contract: isAmendment "0" is the award and contract, any
// other value ("1", "2", "T01", "S01"...) an amendment numbered by it;
// contractValue.amount is the contract's value as of that event, in
// Canadian dollars; awards[].awardDate is the event's date.
//
//	ocid                              → ocid
//	(ocid, contract id, isAmendment)  → id "ocid/contract/isAmendment" (releaseID is always empty)
//	awards[0].awardDate               → date, awards[].date
//	isAmendment "0" / other           → tag ["award", "contract"] / ["contractAmendment"]
//	buyer.id.name, buyer.address      → buyer, parties[] role buyer (address keys camelCased)
//	formation.method                  → tender.procurementMethod (see canadaMethods) and procurementMethodDetails
//	formation.methodJustification     → tender.procurementMethodRationale
//	awards[].notice.id                → awards[].id
//	awards[].suppliers[].id.name/uid  → awards[].suppliers[], parties[] role supplier (uid as party id)
//	awards[].itemsAwarded[]           → awards[].items[] (classification GSIN)
//	contracts[].id.name               → contracts[].id
//	contracts[].awardNotice.id        → contracts[].awardID
//	contracts[].contractValue.amount  → contracts[].value {amount, currency "CAD"}
//	contracts[].contractPeriod        → contracts[].period
//	isAmendment ≠ "0"                 → contracts[].amendments[] {id, date}
//	date, publisher, license "constant:" prefixes are removed
//
// The draft release itself is kept under "x_draft2014", so nothing is lost.
// It returns the mapped release and what could not be mapped.
func MapCanada2014(m map[string]any) (map[string]any, []string) {
	var probs []string
	ocid := strings.TrimSpace(str(m["ocid"]))
	out := map[string]any{"ocid": ocid, "x_draft2014": m, "language": "en", "initiationType": "tender"}
	var parties []any
	partyIdx := map[string]map[string]any{}
	addParty := func(id, name string, role string, addr any) map[string]any {
		ref := map[string]any{"id": id, "name": name}
		if p, ok := partyIdx[id]; ok {
			roles := p["roles"].([]any)
			for _, r := range roles {
				if r == role {
					return ref
				}
			}
			p["roles"] = append(roles, role)
			return ref
		}
		p := map[string]any{"id": id, "name": name, "roles": []any{role}}
		if a := mapAddress(addr); a != nil {
			p["address"] = a
		}
		partyIdx[id] = p
		parties = append(parties, p)
		return ref
	}
	date := ""
	if b, ok := m["buyer"].(map[string]any); ok {
		name := unconst(str(getPath(b, "id", "name")))
		if name != "" {
			out["buyer"] = addParty(name, name, "buyer", b["address"])
		} else {
			probs = append(probs, "the buyer has no name")
		}
	}
	tender := map[string]any{"id": ocid}
	if f, ok := m["formation"].(map[string]any); ok {
		method := strings.TrimSpace(str(f["method"]))
		if pm, ok := canadaMethods[strings.ToLower(method)]; ok {
			tender["procurementMethod"] = pm
		} else if method != "" {
			probs = append(probs, "formation.method "+quote(method)+" has no OCDS equivalent; kept in procurementMethodDetails")
		}
		if method != "" {
			tender["procurementMethodDetails"] = method
		}
		if j := strings.TrimSpace(str(f["methodJustification"])); j != "" {
			tender["procurementMethodRationale"] = j
		}
	}
	out["tender"] = tender
	var awards []any
	if as, ok := m["awards"].([]any); ok {
		for _, a := range as {
			am, ok := a.(map[string]any)
			if !ok {
				continue
			}
			aw := map[string]any{}
			if id := str(getPath(am, "notice", "id")); id != "" {
				aw["id"] = id
			}
			if d := str(am["awardDate"]); d != "" {
				aw["date"] = d
				if date == "" {
					date = d
				}
			}
			var sups []any
			if ss, ok := am["suppliers"].([]any); ok {
				for _, s := range ss {
					sm, ok := s.(map[string]any)
					if !ok {
						continue
					}
					name := strings.TrimSpace(str(getPath(sm, "id", "name")))
					uid := strings.TrimSpace(str(getPath(sm, "id", "uid")))
					if uid == "" {
						uid = name
					}
					if name == "" {
						name = uid
					}
					if name == "" {
						probs = append(probs, "a supplier has no name")
						continue
					}
					sups = append(sups, addParty(uid, name, "supplier", sm["address"]))
				}
			}
			if len(sups) > 0 {
				aw["suppliers"] = sups
			}
			var items []any
			if is, ok := am["itemsAwarded"].([]any); ok {
				for i, it := range is {
					im, ok := it.(map[string]any)
					if !ok {
						continue
					}
					items = append(items, map[string]any{
						"id":          itoa(i + 1),
						"description": str(im["classificationDescription"]),
						"classification": map[string]any{
							"scheme":      str(im["classificationScheme"]),
							"id":          str(im["classificationID"]),
							"description": str(im["classificationDescription"]),
						},
					})
				}
			}
			if len(items) > 0 {
				aw["items"] = items
			}
			awards = append(awards, aw)
		}
	}
	if len(awards) > 0 {
		out["awards"] = awards
	}
	amendment := ""
	contractID := ""
	var contracts []any
	if cs, ok := m["contracts"].([]any); ok {
		for _, c := range cs {
			cm, ok := c.(map[string]any)
			if !ok {
				continue
			}
			ct := map[string]any{}
			id := strings.TrimSpace(str(getPath(cm, "id", "name")))
			if id == "" {
				id = strings.TrimSpace(str(cm["id"]))
			}
			if id == "" {
				probs = append(probs, "a contract has no id.name")
			} else {
				ct["id"] = id
				if contractID == "" {
					contractID = id
				}
			}
			if aw := str(getPath(cm, "awardNotice", "id")); aw != "" {
				ct["awardID"] = aw
			}
			if v := getPath(cm, "contractValue", "amount"); v != nil {
				ct["value"] = map[string]any{"amount": v, "currency": "CAD"}
			}
			if p, ok := cm["contractPeriod"].(map[string]any); ok {
				per := map[string]any{}
				if s := str(p["startDate"]); s != "" {
					per["startDate"] = s
				}
				if e := str(p["endDate"]); e != "" {
					per["endDate"] = e
				}
				ct["period"] = per
			}
			amendment = strings.TrimSpace(str(cm["isAmendment"]))
			if amendment != "" && amendment != "0" {
				am := map[string]any{"id": amendment}
				if date != "" {
					am["date"] = date
				}
				ct["amendments"] = []any{am}
			}
			contracts = append(contracts, ct)
		}
	}
	if len(contracts) > 0 {
		out["contracts"] = contracts
	}
	if len(parties) > 0 {
		out["parties"] = parties
	}
	if date != "" {
		out["date"] = date
	}
	if amendment != "" && amendment != "0" {
		out["tag"] = []any{"contractAmendment"}
	} else {
		out["tag"] = []any{"award", "contract"}
	}
	if id := unconst(str(m["releaseID"])); id != "" {
		out["id"] = id
	} else {
		out["id"] = ocid + "/" + contractID + "/" + amendment
	}
	return out, probs
}

func mapAddress(a any) map[string]any {
	am, ok := a.(map[string]any)
	if !ok {
		return nil
	}
	keys := map[string]string{"street-address": "streetAddress", "extended-address": "extendedAddress", "locality": "locality",
		"region": "region", "postal-code": "postalCode", "country-name": "countryName"}
	out := map[string]any{}
	for k, v := range am {
		if nk, ok := keys[k]; ok {
			if s := str(v); s != "" {
				out[nk] = s
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func unconst(s string) string { return strings.TrimSpace(strings.TrimPrefix(s, "constant:")) }

func getPath(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

func itoa(i int) string { return strconv.Itoa(i) }

func quote(s string) string { return `"` + s + `"` }
