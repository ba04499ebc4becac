package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/mizan-budget/mizan"
)

// The demo contracts: about six hundred contracting processes of the
// fictional state's ministries, 2015 to 2024, published as one OCDS 1.1
// release package, so that a fresh server's Contracts view (search,
// contract detail, party profiles, red flags) has something to show.
//
// Every process is clean except the planted ones, and each planted case is
// put in deliberately (demoPlants and plantProcesses say where), so that
// every contract red flag of docs/red-flags.md fires a few times with
// flags.DefaultParams and nowhere else. Background processes are kept
// clean by construction:
//
//   - a buyer has at most eight background processes in a calendar year
//     (nine with a planted newcomer), fewer than supplier_concentration
//     (10) and year_end_spike (12) look at, and at most two of them
//     limited or direct, fewer than non_competitive_share's three;
//   - competitive tenders have two to five tenderers and tender periods of
//     21 to 60 days (single_bidder, short_tender);
//   - awards are 80% to 105% of the estimate and amendments add at most
//     8%, so no contract ends more than 20% above its estimate
//     (above_estimate) or 15% above its first value (amendment_increase);
//   - no amount falls in [22,500, 25,000), just under the generic 25,000
//     split threshold (split_purchase);
//   - every regular supplier wins its first contract between mid-January
//     and October 2015, inside new_supplier_large_award's first-year
//     warm-up.
//
// All arithmetic on money is in integer fils (thousandths), so the bytes
// are the same on every platform.

// Demo contracts dataset id and the name its one source has in the catalog.
const (
	DemoContractsID   = "demo-contracts"
	DemoContractsFile = "demo-contracts.json"
)

// demoYears is how many years the demo contracts cover, from the config's
// first year: 2015–2024 by default, closed years of the demo budget.
const demoYears = 10

// demoBackground is the number of background processes (the planted group
// cases come on top: about 600 in all).
const demoBackground = 520

// Split threshold of flags.DefaultParams for currencies it does not list
// (KWD among them) and the floor of "just under" it (90%), in fils.
const (
	splitLimit = 25_000_000
	splitFloor = 22_500_000
)

// demoPublished is the package's publication date: fixed, so the bytes do
// not change with the clock.
var demoPublished = time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)

// purchaseKind is what a process buys.
type purchaseKind int

const (
	kSupplies purchaseKind = iota
	kMedicines
	kMedical
	kMaintenance
	kWorks
	kConsulting
	kIT
	kCleaning
	kCatering
	kSecurity
	nKinds
)

// kindInfo describes a kind of purchase.
type kindInfo struct {
	category string // OCDS mainProcurementCategory
	// min and max bound the award amount, in fils; amounts are skewed
	// towards min (min + (max-min)·u³).
	min, max int64
	// days bounds the contract's duration.
	minDays, maxDays int64
	// titles are Arabic title stems; works name a governorate, yearly
	// services the year.
	titles       []string
	place, years bool
}

var kinds = [nKinds]kindInfo{
	kSupplies: {"goods", 2_000_000, 60_000_000, 30, 180, []string{
		"توريد لوازم مكتبية وقرطاسية", "توريد أثاث مكتبي", "توريد ورق ومستلزمات طباعة", "توريد مواد تنظيف ولوازم عامة"}, false, true},
	kMedicines: {"goods", 30_000_000, 900_000_000, 90, 365, []string{
		"توريد أدوية الأمراض المزمنة", "توريد مضادات حيوية ومحاليل وريدية", "توريد لقاحات البرنامج الوطني للتحصين",
		"توريد أدوية التخدير والعناية المركزة", "توريد أنسولين وأدوية السكري"}, false, true},
	kMedical: {"goods", 15_000_000, 600_000_000, 60, 365, []string{
		"توريد أجهزة تصوير طبي", "توريد مستلزمات طبية استهلاكية", "توريد أسرّة وأجهزة للعناية المركزة", "توريد أجهزة مختبرات طبية"}, false, false},
	kMaintenance: {"services", 8_000_000, 180_000_000, 365, 365, []string{
		"صيانة أنظمة التكييف والتبريد", "صيانة المصاعد والسلالم الكهربائية", "صيانة المباني والمرافق",
		"صيانة المركبات والآليات", "صيانة مولدات الكهرباء الاحتياطية"}, false, true},
	kWorks: {"works", 150_000_000, 2_500_000_000, 270, 900, []string{
		"إنشاء مبنى إداري", "إنشاء مدرسة أساسية", "إعادة تأهيل طريق", "توسعة مركز صحي", "إنشاء شبكة مياه وصرف صحي"}, true, false},
	kConsulting: {"services", 12_000_000, 250_000_000, 120, 365, []string{
		"خدمات استشارية لإعداد دراسة جدوى", "الإشراف الهندسي على تنفيذ المشاريع", "إعداد الخطة الاستراتيجية",
		"تدقيق وتقييم الأنظمة المالية"}, false, false},
	kIT: {"goods", 10_000_000, 450_000_000, 60, 365, []string{
		"توريد أجهزة حاسوب وطابعات", "تطوير نظام إلكتروني لإدارة المعاملات", "تجديد تراخيص البرمجيات",
		"تحديث البنية التحتية للشبكات ومركز البيانات"}, false, false},
	kCleaning: {"services", 20_000_000, 160_000_000, 365, 365, []string{"خدمات التنظيف للمباني", "خدمات النظافة وجمع النفايات"}, false, true},
	kCatering: {"services", 25_000_000, 300_000_000, 365, 365, []string{"خدمات الإعاشة والتغذية", "توريد الوجبات الغذائية"}, false, true},
	kSecurity: {"services", 20_000_000, 150_000_000, 365, 365, []string{"خدمات الحراسة والأمن", "تركيب وصيانة أنظمة المراقبة بالكاميرات"}, false, true},
}

// demoSupplier is a fictional company. Newcomers take part in nothing
// until the award they are planted in.
type demoSupplier struct {
	name     string
	kind     purchaseKind
	newcomer bool
}

// demoSuppliers are the companies; within a kind, earlier ones win more.
var demoSuppliers = []demoSupplier{
	{"مؤسسة القلم للقرطاسية واللوازم المكتبية", kSupplies, false},
	{"مؤسسة الأمانة للتوريدات العامة", kSupplies, false},
	{"شركة الأثاث الراقي", kSupplies, false},
	{"شركة المورد الموحد للتجارة", kSupplies, false},
	{"شركة الدواء العربية", kMedicines, false},
	{"الشركة الوطنية للصناعات الدوائية", kMedicines, false},
	{"مؤسسة البلسم لتجارة الأدوية", kMedicines, false},
	{"شركة الحكمة للأدوية والمستحضرات", kMedicines, false},
	{"مؤسسة الريادة للتجهيزات الطبية", kMedical, false},
	{"شركة الشفاء للأجهزة والمستلزمات الطبية", kMedical, false},
	{"شركة الرعاية الطبية المتقدمة", kMedical, false},
	{"مؤسسة الحياة للمستلزمات المخبرية", kMedical, false},
	{"شركة الصيانة الشاملة", kMaintenance, false},
	{"مؤسسة الإتقان للصيانة الفنية", kMaintenance, false},
	{"شركة التبريد والتكييف المتطورة", kMaintenance, false},
	{"شركة المحرك الذهبي لصيانة المركبات", kMaintenance, false},
	{"شركة النخيل للمقاولات العامة", kWorks, false},
	{"شركة البنيان الحديث للإنشاءات", kWorks, false},
	{"مؤسسة الصرح للمقاولات", kWorks, false},
	{"شركة الجسور المتحدة للمقاولات", kWorks, false},
	{"شركة الوادي للطرق والإنشاءات", kWorks, false},
	{"دار الخبرة للاستشارات الهندسية", kConsulting, false},
	{"مكتب الرؤية للاستشارات الإدارية", kConsulting, false},
	{"شركة المعرفة للدراسات والاستشارات", kConsulting, false},
	{"المكتب العربي للتصاميم الهندسية", kConsulting, false},
	{"شركة الحلول الرقمية لتقنية المعلومات", kIT, false},
	{"شركة البيانات المتكاملة للأنظمة", kIT, false},
	{"مؤسسة الشبكة الذكية للاتصالات", kIT, false},
	{"شركة البرمجيات العربية المتحدة", kIT, false},
	{"شركة النقاء لخدمات التنظيف", kCleaning, false},
	{"مؤسسة اللؤلؤة للتنظيف والخدمات العامة", kCleaning, false},
	{"شركة البيئة الخضراء للخدمات", kCleaning, false},
	{"شركة المائدة للإعاشة والتغذية", kCatering, false},
	{"مؤسسة الضيافة للتموين الغذائي", kCatering, false},
	{"شركة الواحة للخدمات الغذائية", kCatering, false},
	{"شركة الحصن لخدمات الحراسة والأمن", kSecurity, false},
	{"شركة الأمان للحراسات الخاصة", kSecurity, false},
	{"مؤسسة الدرع للأنظمة الأمنية", kSecurity, false},
	// Newcomers (new_supplier_large_award): see demoPlants.
	{"شركة الرواد الجدد للتجهيزات الطبية", kMedical, true},
	{"شركة الفجر المشرق للمقاولات", kWorks, true},
	{"مؤسسة النجمة الساطعة للتوريدات العامة", kSupplies, true},
	{"شركة الأفق الجديد للتجارة العامة", kSupplies, true},
}

// crNumber is a supplier's fictional commercial register number.
func crNumber(i int) string { return strconv.Itoa(100_000 + (i*7919*13+4271)%900_000) }

// buyerSpec is a ministry that buys, by its English name in world.go.
type buyerSpec struct {
	ministry string
	abbr     string // of the party id, ZZ-<abbr>-<ministry code>
	weight   int64  // share of the background processes
	kinds    []purchaseKind
	// units names the departments (English, in world.go) whose
	// headquarters unit is the budget line of a kind; the ministry's first
	// department otherwise. All are departments without field offices,
	// whose one unit is their headquarters.
	units map[purchaseKind]string
}

var buyerSpecs = []buyerSpec{
	{"Ministry of Health", "MOH", 12, []purchaseKind{kMedicines, kMedicines, kMedical, kMedical, kCleaning, kCatering, kMaintenance, kSupplies, kIT, kSecurity},
		map[purchaseKind]string{kMedicines: "Joint Procurement Department", kMedical: "Directorate of Specialised Hospitals", kCatering: "Directorate of Specialised Hospitals"}},
	{"Ministry of Education", "MOE", 10, []purchaseKind{kSupplies, kSupplies, kIT, kMaintenance, kCleaning, kCatering, kSecurity, kConsulting},
		map[purchaseKind]string{kSupplies: "Directorate of Curricula and Textbooks"}},
	{"Ministry of Public Works and Housing", "MPWH", 10, []purchaseKind{kWorks, kWorks, kWorks, kConsulting, kConsulting, kMaintenance, kSupplies, kIT},
		map[purchaseKind]string{kWorks: "Directorate of Government Buildings", kConsulting: "Directorate of Government Buildings", kMaintenance: "Directorate of Government Buildings"}},
	{"Ministry of Defence", "MOD", 6, []purchaseKind{kCatering, kMaintenance, kMedical, kSupplies, kIT},
		map[purchaseKind]string{kCatering: "General Command of the Armed Forces", kMaintenance: "General Command of the Armed Forces", kMedical: "Military Medical Services Directorate"}},
	{"Ministry of Interior", "MOI", 6, []purchaseKind{kSupplies, kIT, kCatering, kMaintenance, kCleaning}, nil},
	{"Ministry of Water and Irrigation", "MWI", 5, []purchaseKind{kWorks, kConsulting, kMaintenance, kSupplies},
		map[purchaseKind]string{kWorks: "Irrigation Authority", kConsulting: "Irrigation Authority"}},
	{"Ministry of Transport", "MOT", 5, []purchaseKind{kWorks, kConsulting, kMaintenance, kIT, kSecurity},
		map[purchaseKind]string{kWorks: "Railway Corporation", kConsulting: "Civil Aviation Authority", kMaintenance: "Ports Corporation", kSecurity: "Civil Aviation Authority"}},
	{"Ministry of Finance", "MOF", 5, []purchaseKind{kIT, kIT, kConsulting, kSupplies, kCleaning, kSecurity},
		map[purchaseKind]string{kConsulting: "General Budget Department"}},
	{"Ministry of Digital Economy and Communications", "MODEE", 4, []purchaseKind{kIT, kIT, kConsulting, kSupplies},
		map[purchaseKind]string{kIT: "Digital Transformation Directorate", kConsulting: "Digital Transformation Directorate"}},
	{"Ministry of Higher Education and Scientific Research", "MOHESR", 3, []purchaseKind{kSupplies, kIT, kConsulting, kCleaning}, nil},
	{"Ministry of Social Development", "MOSD", 3, []purchaseKind{kCatering, kCleaning, kSupplies, kMedical},
		map[purchaseKind]string{kCatering: "Directorate of Elderly Care", kCleaning: "Directorate of Elderly Care", kMedical: "Directorate of Elderly Care"}},
	{"Ministry of Agriculture", "MOA", 3, []purchaseKind{kSupplies, kConsulting, kMaintenance, kIT},
		map[purchaseKind]string{kSupplies: "National Centre for Agricultural Research", kConsulting: "National Centre for Agricultural Research"}},
	{"Ministry of Energy and Mineral Resources", "MEMR", 3, []purchaseKind{kWorks, kConsulting, kIT, kSupplies},
		map[purchaseKind]string{kWorks: "Renewable Energy Directorate", kConsulting: "Renewable Energy Directorate"}},
	{"Ministry of Justice", "MOJ", 3, []purchaseKind{kIT, kSupplies, kCleaning, kSecurity, kMaintenance},
		map[purchaseKind]string{kIT: "Court of Cassation"}},
	{"Ministry of Environment", "MOENV", 2, []purchaseKind{kConsulting, kSupplies, kWorks},
		map[purchaseKind]string{kConsulting: "Directorate of Pollution Control", kWorks: "Directorate of Nature Reserves"}},
	{"Ministry of Culture", "MOC", 2, []purchaseKind{kIT, kMaintenance, kSupplies},
		map[purchaseKind]string{kIT: "Radio and Television Corporation", kMaintenance: "National Library"}},
	{"Ministry of Youth and Sports", "MOYS", 2, []purchaseKind{kWorks, kMaintenance, kCleaning, kSecurity},
		map[purchaseKind]string{kWorks: "Sports Facilities Directorate", kMaintenance: "Sports Facilities Directorate"}},
	{"Ministry of Tourism and Antiquities", "MOTA", 2, []purchaseKind{kConsulting, kMaintenance, kSupplies},
		map[purchaseKind]string{kConsulting: "Tourism Promotion Authority"}},
	{"Ministry of Local Administration", "MOLA", 3, []purchaseKind{kWorks, kMaintenance, kCleaning, kConsulting}, nil},
	{"Prime Ministry", "PM", 2, []purchaseKind{kSupplies, kIT, kCatering, kCleaning, kConsulting},
		map[purchaseKind]string{kConsulting: "Civil Service Bureau"}},
}

// Planted group cases, by buyer abbreviation and year offset from the
// first year. Each buyer-year is used by one case only, and its
// background is capped (setCaps) so that only the planted flag fires.
var demoPlants = struct {
	// split_purchase: two direct purchases from one supplier, 6 to 25
	// days apart, each 23,000–24,900 (just under 25,000). The buyer has
	// no other limited or direct process that year.
	split []groupPlant
	// supplier_concentration: the buyer's year has 11 records, at least 7
	// of them won by one supplier with at least twice the value of all the
	// others together (a share of two thirds or more: HHI > 4,400).
	concentration []groupPlant
	// year_end_spike: the buyer's year holds only the plant: 7 contracts
	// of 40,000–90,000 in January to November and 6 of 60,000–120,000 in
	// December, each with a different supplier (13 records, December over
	// six times an average month, HHI under 2,000).
	yearEnd []groupPlant
	// non_competitive_share: at most three competitive background
	// processes and four limited or direct ones worth more than they.
	nonCompetitive []groupPlant
	// new_supplier_large_award: a newcomer (supplier) wins an open tender
	// worth 1.2–1.4 times the buyer's largest other contract in the
	// dataset, after the first year; every such buyer has far more than 20
	// contracts.
	newcomer []groupPlant
}{
	split:          []groupPlant{{"MOH", 2, kSupplies, -1}, {"MOI", 4, kIT, -1}, {"MOE", 6, kMaintenance, -1}, {"MOF", 8, kIT, -1}},
	concentration:  []groupPlant{{"MPWH", 1, kWorks, -1}, {"MOD", 5, kCatering, -1}, {"MOT", 7, kMaintenance, -1}},
	yearEnd:        []groupPlant{{"MOH", 3, 0, -1}, {"MOE", 5, 0, -1}, {"MPWH", 8, 0, -1}},
	nonCompetitive: []groupPlant{{"MOI", 2, 0, -1}, {"MWI", 4, 0, -1}, {"MODEE", 7, 0, -1}},
	newcomer:       []groupPlant{{"MOH", 4, kMedical, 38}, {"MPWH", 6, kWorks, 39}, {"MOE", 7, kSupplies, 40}, {"MOD", 9, kSupplies, 41}},
}

// groupPlant is one planted case about a buyer's year.
type groupPlant struct {
	buyer    string // abbreviation
	yearOff  int
	kind     purchaseKind
	supplier int // newcomer's index in demoSuppliers, else -1
}

// Counts of the planted per-process cases (plantProcesses).
const (
	plantSingleBidder = 20
	plantShortTender  = 12
	plantAmendment    = 10
	plantAboveEst     = 10
)

// Flag codes (as package flags names them) the planted cases raise.
const (
	codeSingleBidder   = "single_bidder"
	codeNonCompetitive = "non_competitive_share"
	codeShortTender    = "short_tender"
	codeAmendment      = "amendment_increase"
	codeAboveEstimate  = "above_estimate"
	codeNewSupplier    = "new_supplier_large_award"
	codeSplit          = "split_purchase"
	codeConcentration  = "supplier_concentration"
	codeYearEnd        = "year_end_spike"
)

// demoBuyer is a buying ministry, resolved against world.go.
type demoBuyer struct {
	spec  *buyerSpec
	code  string // the ministry's code in the demo budget
	ref   string // party id
	name  string // Arabic
	units map[purchaseKind]budgetUnit
}

// budgetUnit is a unit of the demo budget's administrative classification.
type budgetUnit struct{ code, name string }

// demoProcess is one contracting process.
type demoProcess struct {
	ocid      string
	buyer     *demoBuyer
	kind      purchaseKind
	title     string
	method    string
	rationale string
	supplier  int   // winner, index into demoSuppliers
	tenderers []int // listed tenderers, the winner among them
	// tenderStart and tenderEnd are zero for direct purchases.
	tenderStart, tenderEnd time.Time
	estimate, award        int64 // fils
	awardDate, signed      time.Time
	start, end             time.Time
	amendments             []demoAmendment
	// planted lists the flag codes planted on this process.
	planted []string
}

// demoAmendment changes a contract's value (or only its end date).
type demoAmendment struct {
	date        time.Time
	value       int64 // the contract's value after it
	end         time.Time
	rationale   string
	description string
}

func (p *demoProcess) competitive() bool { return p.method == "open" || p.method == "selective" }

// final is the contract's latest value.
func (p *demoProcess) final() int64 {
	if n := len(p.amendments); n > 0 {
		return p.amendments[n-1].value
	}
	return p.award
}

// plantedGroup is a planted group flag: its code, buyer, supplier (when
// the flag names one) and year, in the names the package uses.
type plantedGroup struct {
	code, buyer, supplier string
	year                  int
}

// demoContracts is everything generated.
type demoContracts struct {
	procs  []*demoProcess
	groups []plantedGroup
}

type yearKey struct {
	buyer *demoBuyer
	year  int
}

// demoCap is how many background processes a buyer-year may take.
type demoCap struct{ total, nonCompetitive, used, usedNC int }

// DemoContracts returns the demo contracts of the fictional state of cfg
// (its seed, first year, country and currency): an OCDS 1.1 release
// package as JSON, the same bytes on every call, and the dataset to store
// it under (id DemoContractsID, labelled synthetic). Its source should be
// named DemoContractsFile.
func DemoContracts(cfg Config) (mizan.Dataset, []byte, error) {
	cfg = cfg.normalized()
	if err := cfg.validate(); err != nil {
		return mizan.Dataset{}, nil, err
	}
	dc, err := generateDemoContracts(cfg)
	if err != nil {
		return mizan.Dataset{}, nil, err
	}
	data, err := dc.marshal(cfg)
	if err != nil {
		return mizan.Dataset{}, nil, err
	}
	return DemoContractsDataset(cfg), data, nil
}

// DemoContractsDataset describes the demo contracts of cfg.
func DemoContractsDataset(cfg Config) mizan.Dataset {
	cfg = cfg.normalized()
	return mizan.Dataset{
		ID:    DemoContractsID,
		Kind:  mizan.KindContracts,
		Title: mizan.Text{"en": "Demo State Contracts (synthetic)", "ar": "عقود الدولة التجريبية (بيانات اصطناعية)"},
		Description: mizan.Text{
			"en": "Generated, fictional public contracts of the demo state's ministries for demonstration and testing: an OCDS 1.1 release package. The buyers, companies, tenders and every figure are invented, and a few red flags are planted on purpose; the amounts are in " + cfg.Currency + " only so that three-decimal money is exercised, and describe no real country.",
			"ar": "عقود عامة مولّدة وخيالية لوزارات الدولة التجريبية لأغراض العرض والاختبار، بصيغة حزمة إصدارات OCDS 1.1. الجهات والشركات والمناقصات وجميع الأرقام مختلقة، وبعض المؤشرات التحذيرية مزروعة عمداً؛ والمبالغ بعملة " + cfg.Currency + " فقط لاختبار المبالغ ذات المنازل العشرية الثلاث، ولا تصف أي دولة حقيقية.",
		},
		Publisher: copyText(publisher),
		Country:   cfg.Country,
		Currency:  cfg.Currency,
		Language:  "ar",
		Licence:   licence,
		Synthetic: true,
	}
}

// resolveBuyers looks the buyers up in world.go.
func resolveBuyers() ([]*demoBuyer, error) {
	var out []*demoBuyer
	for i := range buyerSpecs {
		s := &buyerSpecs[i]
		mi := slices.IndexFunc(ministries, func(m ministry) bool { return m.name.en == s.ministry })
		if mi < 0 {
			return nil, fmt.Errorf("synth: demo buyer %q is not a ministry", s.ministry)
		}
		m := ministries[mi]
		code := twoDigits(mi + 1)
		b := &demoBuyer{spec: s, code: code, ref: "ZZ-" + s.abbr + "-" + code, name: m.name.ar, units: map[purchaseKind]budgetUnit{}}
		unit := func(dept string) (budgetUnit, error) {
			di := 0
			if dept != "" {
				di = slices.IndexFunc(m.depts, func(d department) bool { return d.name.en == dept })
				if di < 0 {
					return budgetUnit{}, fmt.Errorf("synth: %q has no department %q", s.ministry, dept)
				}
			}
			// The headquarters unit, as appendUnitCode and unitName write it.
			return budgetUnit{code: code + twoDigits(di+1) + "-00", name: m.depts[di].name.ar + " – " + hqSuffix.ar}, nil
		}
		for _, k := range s.kinds {
			u, err := unit(s.units[k])
			if err != nil {
				return nil, err
			}
			b.units[k] = u
		}
		out = append(out, b)
	}
	return out, nil
}

// demoGen holds the generator's state.
type demoGen struct {
	cfg      Config
	r        rng
	buyers   []*demoBuyer
	byAbbr   map[string]*demoBuyer
	byKind   [nKinds][]int // regular suppliers by kind
	caps     map[yearKey]*demoCap
	procs    []*demoProcess
	groups   []plantedGroup
	lastDate time.Time // no date after it: the end of the last year
}

func generateDemoContracts(cfg Config) (*demoContracts, error) {
	buyers, err := resolveBuyers()
	if err != nil {
		return nil, err
	}
	var pcg rand.PCG
	pcg.Seed(cfg.Seed, 0x64656d6f2d6f6364) // "demo-ocd"
	g := &demoGen{cfg: cfg, r: rng{&pcg}, buyers: buyers, byAbbr: map[string]*demoBuyer{}, caps: map[yearKey]*demoCap{},
		lastDate: time.Date(cfg.StartYear+demoYears-1, 12, 31, 0, 0, 0, 0, time.UTC)}
	for _, b := range buyers {
		g.byAbbr[b.spec.abbr] = b
	}
	for i, s := range demoSuppliers {
		if !s.newcomer {
			g.byKind[s.kind] = append(g.byKind[s.kind], i)
		}
	}
	if err := g.setCaps(); err != nil {
		return nil, err
	}
	g.background()
	g.plantProcesses()
	if err := g.plantGroups(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(g.procs, func(a, b *demoProcess) int {
		if c := a.signed.Compare(b.signed); c != 0 {
			return c
		}
		if a.buyer.ref != b.buyer.ref {
			if a.buyer.ref < b.buyer.ref {
				return -1
			}
			return 1
		}
		return 0
	})
	seq := map[int]int{}
	for _, p := range g.procs {
		y := p.signed.Year()
		seq[y]++
		p.ocid = fmt.Sprintf("ocds-zzdemo-%d-%04d", y, seq[y])
	}
	return &demoContracts{procs: g.procs, groups: g.groups}, nil
}

// buyer returns a planted case's buyer.
func (g *demoGen) buyer(abbr string) (*demoBuyer, error) {
	b := g.byAbbr[abbr]
	if b == nil {
		return nil, fmt.Errorf("synth: no demo buyer %s", abbr)
	}
	return b, nil
}

// setCaps sets the background capacity of every planted buyer-year.
func (g *demoGen) setCaps() error {
	set := func(ps []groupPlant, total, nc int) error {
		for _, p := range ps {
			b, err := g.buyer(p.buyer)
			if err != nil {
				return err
			}
			k := yearKey{b, g.cfg.StartYear + p.yearOff}
			if g.caps[k] != nil {
				return fmt.Errorf("synth: two planted cases in %s %d", p.buyer, k.year)
			}
			g.caps[k] = &demoCap{total: total, nonCompetitive: nc}
		}
		return nil
	}
	for _, c := range []struct {
		ps        []groupPlant
		total, nc int
	}{
		{demoPlants.split, 6, 0}, {demoPlants.concentration, 4, 2}, {demoPlants.yearEnd, 0, 0},
		{demoPlants.nonCompetitive, 3, 0}, {demoPlants.newcomer, 8, 2},
	} {
		if err := set(c.ps, c.total, c.nc); err != nil {
			return err
		}
	}
	return nil
}

func (g *demoGen) capOf(b *demoBuyer, year int) *demoCap {
	k := yearKey{b, year}
	c := g.caps[k]
	if c == nil {
		c = &demoCap{total: 8, nonCompetitive: 2}
		g.caps[k] = c
	}
	return c
}

// day returns the date n days into year.
func day(year int, n int64) time.Time {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n))
}

func daysIn(year int) int64 { return int64(day(year+1, 0).Sub(day(year, 0)).Hours() / 24) }

// amount draws an award amount of a kind, in fils, never just under the
// split threshold (such amounts are moved 2,600 up).
func (g *demoGen) amount(k purchaseKind) int64 {
	ki := kinds[k]
	u := g.r.n(1 << 20)
	x := mulDiv(mulDiv(mulDiv(ki.max-ki.min, u, 1<<20), u, 1<<20), u, 1<<20)
	return avoidSplit(ki.min + x)
}

func avoidSplit(a int64) int64 {
	if a >= splitFloor && a < splitLimit {
		return a + 2_600_000
	}
	return a
}

// estimateFor returns the tender's estimate of an award that is factor
// per mille of it, rounded to 100 (10 under 10,000), half up; floor
// rounds down instead.
func estimateFor(award, factor int64, floor bool) int64 {
	e := mulDiv(award, 1000, factor)
	unit := int64(100_000)
	if e < 10_000_000 {
		unit = 10_000
	}
	if floor {
		return max(unit, e/unit*unit)
	}
	return max(unit, (e+unit/2)/unit*unit)
}

// pickSupplier draws a regular supplier of a kind, earlier ones likelier
// (weights 4, 3, 2, 1...).
func (g *demoGen) pickSupplier(k purchaseKind) int {
	ss := g.byKind[k]
	var total int64
	for i := range ss {
		total += int64(max(1, len(ss)-i))
	}
	u := g.r.n(total)
	for i, s := range ss {
		w := int64(max(1, len(ss)-i))
		if u < w {
			return s
		}
		u -= w
	}
	return ss[len(ss)-1]
}

// others returns n distinct regular suppliers of a kind other than the
// winner, fewer when the kind has fewer.
func (g *demoGen) others(k purchaseKind, winner, n int) []int {
	var pool []int
	for _, s := range g.byKind[k] {
		if s != winner {
			pool = append(pool, s)
		}
	}
	for i := len(pool) - 1; i > 0; i-- {
		j := g.r.n(int64(i + 1))
		pool[i], pool[j] = pool[j], pool[i]
	}
	return pool[:min(n, len(pool))]
}

// title builds a process's Arabic title.
func (g *demoGen) title(b *demoBuyer, k purchaseKind, year int) string {
	ki := kinds[k]
	t := ki.titles[g.r.n(int64(len(ki.titles)))]
	if ki.place {
		t += " في " + governorates[g.r.n(int64(len(governorates)))].name.ar
	}
	t += " ل" + b.name
	if ki.years {
		t += " لعام " + strconv.Itoa(year)
	}
	return t
}

// newProcess makes a process signed on a date, with everything drawn
// clean: method as given (or drawn when ""), two to five tenderers for a
// competitive one, a tender period of 21–60 days, an award at 80–105% of
// the estimate.
func (g *demoGen) newProcess(b *demoBuyer, k purchaseKind, signed time.Time, supplier int, award int64, method string) *demoProcess {
	p := &demoProcess{buyer: b, kind: k, signed: signed, supplier: supplier, award: award, method: method}
	year := signed.Year()
	p.title = g.title(b, k, year)
	switch p.method {
	case "limited":
		p.rationale = "عدد محدود من الموردين المؤهلين"
		if award < splitFloor {
			p.rationale = "قيمة الشراء دون سقف المناقصة العامة"
		}
	case "direct":
		p.rationale = "شراء صغير القيمة دون سقف استدراج العروض"
	}
	n := 1
	switch {
	case p.competitive():
		n = 2 + int(g.r.n(4))
	case p.method == "limited":
		n = 2 + int(g.r.n(2))
	}
	p.tenderers = append(g.others(k, supplier, n-1), supplier)
	// The winner at a drawn place among the tenderers.
	w := int(g.r.n(int64(len(p.tenderers))))
	last := len(p.tenderers) - 1
	p.tenderers[w], p.tenderers[last] = p.tenderers[last], p.tenderers[w]

	p.estimate = estimateFor(award, g.r.between(800, 1050), false)
	// The award a few days before signature, in the same year (a process
	// has one year for every flag).
	p.awardDate = signed.AddDate(0, 0, -int(2+g.r.n(12)))
	if p.awardDate.Year() != year {
		p.awardDate = day(year, 0)
	}
	if p.method != "direct" {
		p.tenderEnd = p.awardDate.AddDate(0, 0, -int(10+g.r.n(30)))
		period := 21 + g.r.n(40)
		if p.method == "limited" {
			period = 7 + g.r.n(10)
		}
		p.tenderStart = p.tenderEnd.AddDate(0, 0, -int(period))
	}
	ki := kinds[k]
	p.start = signed.AddDate(0, 0, int(1+g.r.n(14)))
	p.end = p.start.AddDate(0, 0, int(g.r.between(ki.minDays, ki.maxDays)))
	return p
}

// amendable reports whether a contract can take an amendment dated in the
// covered years.
func (g *demoGen) amendable(p *demoProcess) bool {
	return p.signed.Before(g.lastDate.AddDate(0, -9, 0)) && len(p.amendments) == 0
}

// addBackground adds a clean background process if the buyer-year has
// room, and reports whether it did.
func (g *demoGen) addBackground(b *demoBuyer, k purchaseKind, signed time.Time, supplier int) bool {
	c := g.capOf(b, signed.Year())
	if c.used >= c.total {
		return false
	}
	award := g.amount(k)
	method := "open"
	if award < splitFloor {
		if c.usedNC < c.nonCompetitive && g.r.n(100) < 65 {
			method = "direct"
			if g.r.n(100) < 45 {
				method = "limited"
			}
		}
	} else {
		switch u := g.r.n(100); {
		case u < 8 && c.usedNC < c.nonCompetitive:
			method = "limited"
		case u < 28:
			method = "selective"
		}
	}
	p := g.newProcess(b, k, signed, supplier, award, method)
	c.used++
	if !p.competitive() {
		c.usedNC++
	}
	// One contract in eighteen amended: extended, or raised by at most 8%
	// (never into the split band).
	if g.amendable(p) && g.r.n(18) == 0 {
		a := demoAmendment{date: p.start.AddDate(0, 0, int(60+g.r.n(150))), value: p.award, end: p.end}
		if inc := g.r.n(81); inc >= 20 {
			a.value = avoidSplitRaise(p.award, p.award+mulDiv(p.award, inc, 1000))
			a.rationale, a.description = "زيادة الكميات ضمن نطاق العقد", "كميات إضافية من البنود نفسها بأسعار العقد"
		}
		if a.value == p.award {
			a.end = p.end.AddDate(0, 0, int(30+g.r.n(90)))
			a.rationale, a.description = "تمديد مدة العقد", "تمديد مدة التنفيذ دون تغيير القيمة"
		}
		p.amendments = append(p.amendments, a)
	}
	g.procs = append(g.procs, p)
	return true
}

// avoidSplitRaise keeps a raised value out of the split band: the raise is
// dropped if it would land there.
func avoidSplitRaise(from, to int64) int64 {
	if to >= splitFloor && to < splitLimit {
		return from
	}
	return to
}

// background draws the clean processes: first one early-2015 contract for
// every regular supplier (so none is new after the warm-up year), then the
// rest by buyer weight, year and day.
func (g *demoGen) background() {
	y0 := g.cfg.StartYear
	for k := range nKinds {
		var buyers []*demoBuyer
		for _, b := range g.buyers {
			if slices.Contains(b.spec.kinds, purchaseKind(k)) {
				buyers = append(buyers, b)
			}
		}
		for i, s := range g.byKind[k] {
			for try := range len(buyers) {
				b := buyers[(i+try+int(g.r.n(int64(len(buyers)))))%len(buyers)]
				if g.addBackground(b, purchaseKind(k), day(y0, 14+g.r.n(280)), s) {
					break
				}
			}
		}
	}
	var total int64
	for _, b := range g.buyers {
		total += b.spec.weight
	}
	for tries := 0; len(g.procs) < demoBackground && tries < 20*demoBackground; tries++ {
		u := g.r.n(total)
		var b *demoBuyer
		for _, x := range g.buyers {
			if u < x.spec.weight {
				b = x
				break
			}
			u -= x.spec.weight
		}
		year := y0 + int(g.r.n(demoYears))
		k := b.spec.kinds[g.r.n(int64(len(b.spec.kinds)))]
		g.addBackground(b, k, day(year, g.r.n(daysIn(year))), g.pickSupplier(k))
	}
}

// plantProcesses plants the per-process flags on background processes
// drawn at random among those that qualify: single bidders, short tender
// periods (5–12 days), contracts raised by 18–34% by one or two
// amendments (awarded at 75–85% of the estimate, so they stay within 20%
// of it), and awards 25–60% above the estimate.
func (g *demoGen) plantProcesses() {
	pick := func(n int, ok func(p *demoProcess) bool, plant func(p *demoProcess)) {
		order := make([]int, len(g.procs))
		for i := range order {
			order[i] = i
		}
		for i := len(order) - 1; i > 0; i-- {
			j := g.r.n(int64(i + 1))
			order[i], order[j] = order[j], order[i]
		}
		for _, i := range order {
			if n == 0 {
				return
			}
			if p := g.procs[i]; ok(p) {
				plant(p)
				n--
			}
		}
	}
	pick(plantSingleBidder, (*demoProcess).competitive, func(p *demoProcess) {
		p.tenderers = []int{p.supplier}
		p.planted = append(p.planted, codeSingleBidder)
	})
	pick(plantShortTender, (*demoProcess).competitive, func(p *demoProcess) {
		p.tenderStart = p.tenderEnd.AddDate(0, 0, -int(5+g.r.n(8)))
		p.planted = append(p.planted, codeShortTender)
	})
	pick(plantAmendment, func(p *demoProcess) bool { return p.competitive() && g.amendable(p) && p.award >= splitLimit }, func(p *demoProcess) {
		p.estimate = estimateFor(p.award, g.r.between(750, 850), false)
		final := p.award + mulDiv(p.award, g.r.between(180, 340), 1000)
		first := p.start.AddDate(0, 0, int(45+g.r.n(120)))
		if g.r.n(2) == 0 {
			mid := p.award + (final-p.award)/2
			p.amendments = append(p.amendments, demoAmendment{date: first, value: mid, end: p.end,
				rationale: "أعمال إضافية", description: "إضافة أعمال وبنود لم ترد في العقد الأصلي"})
			first = first.AddDate(0, 0, int(30+g.r.n(60)))
		}
		p.amendments = append(p.amendments, demoAmendment{date: first, value: final, end: p.end.AddDate(0, 0, int(g.r.n(120))),
			rationale: "تعديل نطاق العقد", description: "زيادة نطاق العمل وتمديد المدة"})
		p.planted = append(p.planted, codeAmendment)
	})
	pick(plantAboveEst, func(p *demoProcess) bool { return p.competitive() && len(p.amendments) == 0 }, func(p *demoProcess) {
		p.estimate = estimateFor(p.award, g.r.between(1250, 1600), true)
		p.planted = append(p.planted, codeAboveEstimate)
	})
}

// yearProcs returns the processes of a buyer signed in a year.
func (g *demoGen) yearProcs(b *demoBuyer, year int) []*demoProcess {
	var out []*demoProcess
	for _, p := range g.procs {
		if p.buyer == b && p.signed.Year() == year {
			out = append(out, p)
		}
	}
	return out
}

// distinctSuppliers returns n distinct regular suppliers of the kinds a
// buyer buys, in a drawn order.
func (g *demoGen) distinctSuppliers(b *demoBuyer, n int) ([]int, error) {
	var pool []int
	for k := range nKinds {
		if slices.Contains(b.spec.kinds, purchaseKind(k)) {
			pool = append(pool, g.byKind[k]...)
		}
	}
	if len(pool) < n {
		return nil, fmt.Errorf("synth: %s buys from %d suppliers, a planted case needs %d", b.spec.abbr, len(pool), n)
	}
	for i := len(pool) - 1; i > 0; i-- {
		j := g.r.n(int64(i + 1))
		pool[i], pool[j] = pool[j], pool[i]
	}
	return pool[:n], nil
}

// plantGroups adds the planted group cases of demoPlants.
func (g *demoGen) plantGroups() error {
	y0 := g.cfg.StartYear
	add := func(p *demoProcess, code string) {
		if code != "" {
			p.planted = append(p.planted, code)
		}
		g.procs = append(g.procs, p)
	}
	for _, c := range demoPlants.split {
		b, _ := g.buyer(c.buyer)
		year := y0 + c.yearOff
		s := g.pickSupplier(c.kind)
		d := day(year, 30+g.r.n(240))
		title := g.title(b, c.kind, year)
		for i, part := range []string{" – الجزء الأول", " – الجزء الثاني"} {
			p := g.newProcess(b, c.kind, d, s, 23_000_000+g.r.n(1_900_000), "direct")
			p.title = title + part
			add(p, codeSplit)
			if i == 0 {
				d = d.AddDate(0, 0, int(6+g.r.n(20)))
			}
		}
		g.groups = append(g.groups, plantedGroup{codeSplit, b.name, demoSuppliers[s].name, year})
	}
	for _, c := range demoPlants.concentration {
		b, _ := g.buyer(c.buyer)
		year := y0 + c.yearOff
		bg := g.yearProcs(b, year)
		var others int64
		for _, p := range bg {
			others += p.final()
		}
		n := max(7, 11-len(bg))
		base := max(mulDiv(others, 2, int64(n))+1, 30_000_000)
		fav := g.pickSupplier(c.kind)
		for i := range n {
			d := day(year, int64(i)*330/int64(n)+g.r.n(25))
			add(g.newProcess(b, c.kind, d, fav, base+mulDiv(base, g.r.n(300), 1000), "open"), "")
		}
		g.groups = append(g.groups, plantedGroup{codeConcentration, b.name, demoSuppliers[fav].name, year})
	}
	for _, c := range demoPlants.yearEnd {
		b, _ := g.buyer(c.buyer)
		year := y0 + c.yearOff
		ss, err := g.distinctSuppliers(b, 13)
		if err != nil {
			return err
		}
		for i, s := range ss {
			k := demoSuppliers[s].kind
			var d time.Time
			var a int64
			if i < 7 {
				d = day(year, int64(i)*45+g.r.n(30)) // January to November
				a = g.r.between(40_000_000, 90_000_000)
			} else {
				d = time.Date(year, 12, int(1+g.r.n(28)), 0, 0, 0, 0, time.UTC)
				a = g.r.between(60_000_000, 120_000_000)
			}
			add(g.newProcess(b, k, d, s, a, "open"), "")
		}
		g.groups = append(g.groups, plantedGroup{codeYearEnd, b.name, "", year})
	}
	for _, c := range demoPlants.nonCompetitive {
		b, _ := g.buyer(c.buyer)
		year := y0 + c.yearOff
		var competitive int64
		for _, p := range g.yearProcs(b, year) {
			competitive += p.final()
		}
		ss, err := g.distinctSuppliers(b, 4)
		if err != nil {
			return err
		}
		base := max(competitive/3+1, 30_000_000)
		reasons := []string{"حالة طارئة لا تحتمل إجراءات المناقصة", "وكيل حصري للمنتج", "استكمال أعمال عقد سابق", "توحيد المواصفات مع التجهيزات القائمة"}
		for i, s := range ss {
			method := "direct"
			if i%2 == 1 {
				method = "limited"
			}
			p := g.newProcess(b, demoSuppliers[s].kind, day(year, 20+int64(i)*80+g.r.n(60)), s, base+mulDiv(base, g.r.n(200), 1000), method)
			p.rationale = reasons[i]
			add(p, "")
		}
		g.groups = append(g.groups, plantedGroup{codeNonCompetitive, b.name, "", year})
	}
	for _, c := range demoPlants.newcomer {
		b, _ := g.buyer(c.buyer)
		year := y0 + c.yearOff
		var largest int64
		for _, p := range g.procs {
			if p.buyer == b {
				largest = max(largest, p.final())
			}
		}
		p := g.newProcess(b, c.kind, day(year, 60+g.r.n(240)), c.supplier, mulDiv(largest, g.r.between(1200, 1400), 1000), "open")
		add(p, "")
		g.groups = append(g.groups, plantedGroup{codeNewSupplier, b.name, demoSuppliers[c.supplier].name, year})
	}
	return nil
}

// fils is an amount in thousandths, written as a JSON number with three
// decimals.
type fils int64

// MarshalJSON writes the amount with exactly three decimals.
func (f fils) MarshalJSON() ([]byte, error) { return appendAmount(nil, int64(f)), nil }

// The OCDS 1.1 objects written, with the fields Mizan reads (ocds/extract.go).
type (
	ocdsPackage struct {
		URI           string        `json:"uri"`
		Version       string        `json:"version"`
		PublishedDate string        `json:"publishedDate"`
		Publisher     ocdsPublisher `json:"publisher"`
		License       string        `json:"license"`
		Releases      []ocdsRelease `json:"releases"`
	}
	ocdsPublisher struct {
		Name string `json:"name"`
	}
	ocdsRelease struct {
		OCID           string         `json:"ocid"`
		ID             string         `json:"id"`
		Date           string         `json:"date"`
		Tag            []string       `json:"tag"`
		InitiationType string         `json:"initiationType"`
		Language       string         `json:"language,omitempty"`
		Parties        []ocdsParty    `json:"parties,omitempty"`
		Buyer          *ocdsRef       `json:"buyer,omitempty"`
		Planning       *ocdsPlanning  `json:"planning,omitempty"`
		Tender         *ocdsTender    `json:"tender,omitempty"`
		Awards         []ocdsAward    `json:"awards,omitempty"`
		Contracts      []ocdsContract `json:"contracts,omitempty"`
	}
	ocdsParty struct {
		ID         string         `json:"id"`
		Name       string         `json:"name"`
		Identifier ocdsIdentifier `json:"identifier"`
		Roles      []string       `json:"roles"`
	}
	ocdsIdentifier struct {
		Scheme string `json:"scheme"`
		ID     string `json:"id"`
	}
	ocdsRef struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	ocdsValue struct {
		Amount   fils   `json:"amount"`
		Currency string `json:"currency"`
	}
	ocdsPeriod struct {
		StartDate string `json:"startDate,omitempty"`
		EndDate   string `json:"endDate,omitempty"`
	}
	ocdsPlanning struct {
		Budget ocdsBudget `json:"budget"`
	}
	ocdsBudget struct {
		ID          string `json:"id"`
		Description string `json:"description"`
	}
	ocdsTender struct {
		ID                         string      `json:"id"`
		Title                      string      `json:"title"`
		Status                     string      `json:"status"`
		Value                      ocdsValue   `json:"value"`
		ProcurementMethod          string      `json:"procurementMethod"`
		ProcurementMethodDetails   string      `json:"procurementMethodDetails"`
		ProcurementMethodRationale string      `json:"procurementMethodRationale,omitempty"`
		MainProcurementCategory    string      `json:"mainProcurementCategory"`
		TenderPeriod               *ocdsPeriod `json:"tenderPeriod,omitempty"`
		NumberOfTenderers          int         `json:"numberOfTenderers"`
		Tenderers                  []ocdsRef   `json:"tenderers"`
	}
	ocdsAward struct {
		ID        string    `json:"id"`
		Status    string    `json:"status"`
		Date      string    `json:"date"`
		Value     ocdsValue `json:"value"`
		Suppliers []ocdsRef `json:"suppliers"`
	}
	ocdsContract struct {
		ID         string          `json:"id"`
		AwardID    string          `json:"awardID,omitempty"`
		Status     string          `json:"status,omitempty"`
		Period     *ocdsPeriod     `json:"period,omitempty"`
		Value      ocdsValue       `json:"value"`
		DateSigned string          `json:"dateSigned,omitempty"`
		Amendments []ocdsAmendment `json:"amendments,omitempty"`
	}
	ocdsAmendment struct {
		ID              string `json:"id"`
		Date            string `json:"date"`
		Rationale       string `json:"rationale"`
		Description     string `json:"description"`
		AmendsReleaseID string `json:"amendsReleaseID"`
		ReleaseID       string `json:"releaseID"`
	}
)

var methodDetails = map[string]string{
	"open":      "مناقصة عامة",
	"selective": "مناقصة محدودة بعد التأهيل المسبق",
	"limited":   "استدراج عروض من موردين مدعوين",
	"direct":    "شراء مباشر",
}

func isoTime(t time.Time) string { return t.Format("2006-01-02T15:04:05Z") }

func supplierRef(i int) ocdsRef {
	return ocdsRef{ID: "ZZ-CR-" + crNumber(i), Name: demoSuppliers[i].name}
}

// marshal writes the release package: per process, one release with the
// tender, award and contract at the contract's signature, then one
// contractAmendment release per amendment carrying the contract's new
// value (Mizan reads a contract's first value and the value around each
// amendment from these releases).
func (dc *demoContracts) marshal(cfg Config) ([]byte, error) {
	pkg := ocdsPackage{
		URI:           "https://demo.invalid/ocds/" + DemoContractsFile,
		Version:       "1.1",
		PublishedDate: isoTime(demoPublished),
		Publisher:     ocdsPublisher{Name: publisher["ar"]},
		License:       licence.URL,
	}
	val := func(a int64) ocdsValue { return ocdsValue{Amount: fils(a), Currency: cfg.Currency} }
	for _, p := range dc.procs {
		b := p.buyer
		buyer := ocdsRef{ID: b.ref, Name: b.name}
		parties := []ocdsParty{{ID: b.ref, Name: b.name, Identifier: ocdsIdentifier{Scheme: "ZZ-GOV", ID: b.code},
			Roles: []string{"buyer"}}}
		var tenderers []ocdsRef
		for _, s := range p.tenderers {
			roles := []string{"tenderer"}
			if s == p.supplier {
				roles = append(roles, "supplier")
			}
			ref := supplierRef(s)
			tenderers = append(tenderers, ref)
			parties = append(parties, ocdsParty{ID: ref.ID, Name: ref.Name, Identifier: ocdsIdentifier{Scheme: "ZZ-CR", ID: crNumber(s)}, Roles: roles})
		}
		unit := b.units[p.kind]
		if unit.code == "" {
			return nil, fmt.Errorf("synth: %s has no budget line for %d", b.spec.abbr, p.kind)
		}
		t := &ocdsTender{ID: p.ocid + "-tender", Title: p.title, Status: "complete", Value: val(p.estimate),
			ProcurementMethod: p.method, ProcurementMethodDetails: methodDetails[p.method], ProcurementMethodRationale: p.rationale,
			MainProcurementCategory: kinds[p.kind].category, NumberOfTenderers: len(p.tenderers), Tenderers: tenderers}
		if !p.tenderStart.IsZero() {
			t.TenderPeriod = &ocdsPeriod{StartDate: isoTime(p.tenderStart), EndDate: isoTime(p.tenderEnd)}
		}
		awardID, contractID := p.ocid+"-award-1", p.ocid+"-contract-1"
		status := func(end time.Time) string {
			if end.Before(demoPublished) {
				return "terminated"
			}
			return "active"
		}
		first := p.ocid + "-01"
		pkg.Releases = append(pkg.Releases, ocdsRelease{OCID: p.ocid, ID: first, Date: isoTime(p.signed), Tag: []string{"tender", "award", "contract"},
			InitiationType: "tender", Language: "ar", Parties: parties, Buyer: &buyer,
			Planning: &ocdsPlanning{Budget: ocdsBudget{ID: unit.code, Description: unit.name}},
			Tender:   t,
			Awards:   []ocdsAward{{ID: awardID, Status: "active", Date: isoTime(p.awardDate), Value: val(p.award), Suppliers: []ocdsRef{supplierRef(p.supplier)}}},
			Contracts: []ocdsContract{{ID: contractID, AwardID: awardID, Status: status(p.end),
				Period: &ocdsPeriod{StartDate: isoTime(p.start), EndDate: isoTime(p.end)}, Value: val(p.award), DateSigned: isoTime(p.signed)}},
		})
		var ams []ocdsAmendment
		prev := first
		for i, a := range p.amendments {
			id := fmt.Sprintf("%s-%02d", p.ocid, i+2)
			ams = append(ams, ocdsAmendment{ID: strconv.Itoa(i + 1), Date: isoTime(a.date), Rationale: a.rationale, Description: a.description,
				AmendsReleaseID: prev, ReleaseID: id})
			pkg.Releases = append(pkg.Releases, ocdsRelease{OCID: p.ocid, ID: id, Date: isoTime(a.date), Tag: []string{"contractAmendment"},
				InitiationType: "tender", Language: "ar",
				Contracts: []ocdsContract{{ID: contractID, Status: status(a.end), Period: &ocdsPeriod{StartDate: isoTime(p.start), EndDate: isoTime(a.end)},
					Value: val(a.value), Amendments: slices.Clone(ams)}}})
			prev = id
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pkg); err != nil {
		return nil, fmt.Errorf("synth: encode demo contracts: %w", err)
	}
	return buf.Bytes(), nil
}
