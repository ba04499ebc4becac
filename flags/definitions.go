package flags

import (
	"strconv"

	"github.com/mizan-budget/mizan"
)

var (
	contractsOnly = []mizan.Kind{mizan.KindContracts}
	paymentsOnly  = []mizan.Kind{mizan.KindPayments}
	bothKinds     = []mizan.Kind{mizan.KindContracts, mizan.KindPayments}
)

// Definitions describes every flag, in listing order, with its parameters
// and their defaults (docs/red-flags.md says the same at more length).
func Definitions() []Definition {
	d := DefaultParams()
	itoa := strconv.Itoa
	return []Definition{
		{Code: SingleBidder, Applies: contractsOnly,
			Title: mizan.Text{"en": "Single bidder in a competitive procedure", "ar": "عارض وحيد في إجراء تنافسي"},
			Description: mizan.Text{
				"en": "An open or selective procedure received exactly one tender (numberOfTenderers, or the tenderers listed): the competition the procedure was meant to create did not happen.",
				"ar": "تلقّى إجراء مفتوح أو انتقائي عرضًا واحدًا فقط (عدد العارضين أو قائمة العارضين): لم تحدث المنافسة التي وُضع الإجراء من أجلها."}},
		{Code: NonCompetitiveShare, Applies: contractsOnly,
			Title: mizan.Text{"en": "High share of non-competitive awards", "ar": "حصة مرتفعة من الترسيات غير التنافسية"},
			Description: mizan.Text{
				"en": "In one year and currency, a buyer awarded at least the threshold share of its contract value through limited or direct procedures.",
				"ar": "في سنة وعملة واحدة، رسّت جهة مشترية نسبة تبلغ الحد أو أكثر من قيمة عقودها بإجراءات محدودة أو مباشرة."},
			Params: []ParamDoc{
				{Name: "non_competitive_share", Default: num(d.NonCompetitiveShare), Description: mizan.Text{"en": "Share of the buyer's awarded value (0–1) at or above which it is flagged.", "ar": "حصة القيمة المرسّاة (0–1) التي يُرفع العلم عندها أو فوقها."}},
				{Name: "non_competitive_min_processes", Default: itoa(d.NonCompetitiveMinProcesses), Description: mizan.Text{"en": "Minimum number of non-competitive processes that year.", "ar": "أدنى عدد من الإجراءات غير التنافسية في السنة."}},
			}},
		{Code: ShortTender, Applies: contractsOnly,
			Title: mizan.Text{"en": "Short tender period", "ar": "فترة مناقصة قصيرة"},
			Description: mizan.Text{
				"en": "The tender period (from its start to the deadline for bids) of a procedure that is not limited or direct was shorter than the threshold, leaving little time to prepare a bid.",
				"ar": "كانت فترة المناقصة (من بدايتها حتى آخر موعد لتقديم العروض) في إجراء غير محدود وغير مباشر أقصر من الحد، فلم يبق وقت كافٍ لإعداد العروض."},
			Params: []ParamDoc{{Name: "short_tender_days", Default: itoa(d.ShortTenderDays), Description: mizan.Text{"en": "Tender periods shorter than this many days are flagged.", "ar": "تُعلَّم فترات المناقصة الأقصر من هذا العدد من الأيام."}}}},
		{Code: AmendmentIncrease, Applies: contractsOnly,
			Title: mizan.Text{"en": "Contract value raised by amendments", "ar": "رفع قيمة العقد بالتعديلات"},
			Description: mizan.Text{
				"en": "A contract's latest value exceeds its first published value (same currency) by more than the threshold.",
				"ar": "تتجاوز آخر قيمة للعقد أول قيمة منشورة له (بالعملة نفسها) بأكثر من الحد."},
			Params: []ParamDoc{{Name: "amendment_increase", Default: num(d.AmendmentIncrease), Description: mizan.Text{"en": "Increase (fraction of the initial value) above which a contract is flagged.", "ar": "الزيادة (كنسبة من القيمة الأولى) التي يُعلَّم العقد فوقها."}}}},
		{Code: AboveEstimate, Applies: contractsOnly,
			Title: mizan.Text{"en": "Award above the tender estimate", "ar": "ترسية أعلى من تقدير المناقصة"},
			Description: mizan.Text{
				"en": "The value awarded (the contracts', else the awards') exceeds the tender's estimated value, in the same currency, by more than the threshold.",
				"ar": "تتجاوز القيمة المرسّاة (قيمة العقود، وإلا قيمة الترسيات) القيمة التقديرية للمناقصة، بالعملة نفسها، بأكثر من الحد."},
			Params: []ParamDoc{{Name: "above_estimate", Default: num(d.AboveEstimate), Description: mizan.Text{"en": "Excess over the estimate (fraction) above which a process is flagged.", "ar": "الزيادة على التقدير (كنسبة) التي يُعلَّم الإجراء فوقها."}}}},
		{Code: SplitPurchase, Applies: bothKinds,
			Title: mizan.Text{"en": "Possible split purchase", "ar": "احتمال تجزئة الشراء"},
			Description: mizan.Text{
				"en": "Two or more awards, contracts or payments from one buyer to one supplier, each just under a threshold and each at most the window's days after the previous one, that together reach the threshold: the pattern of a purchase split to stay below it.",
				"ar": "ترسيتان أو عقدان أو دفعتان أو أكثر من جهة مشترية واحدة إلى مورد واحد، كل منها أقل بقليل من حد معيّن وتأتي كل منها خلال أيام النافذة من سابقتها، ومجموعها يبلغ الحد: نمط شراء جُزّئ للبقاء تحته."},
			Params: []ParamDoc{
				{Name: "split_thresholds", Default: thresholdsText(d.SplitThresholds, ""), Description: mizan.Text{"en": "Threshold per currency.", "ar": "الحد لكل عملة."}},
				{Name: "split_default_threshold", Default: d.SplitDefaultThreshold, Description: mizan.Text{"en": "Threshold of the other currencies (empty: not checked).", "ar": "حد العملات الأخرى (فارغ: لا فحص)."}},
				{Name: "split_margin", Default: num(d.SplitMargin), Description: mizan.Text{"en": "Amounts in [margin × threshold, threshold) count as just under it.", "ar": "المبالغ في [الهامش × الحد، الحد) تُعدّ أقل منه بقليل."}},
				{Name: "split_window_days", Default: itoa(d.SplitWindowDays), Description: mizan.Text{"en": "Most days between one such record and the next.", "ar": "أقصى عدد أيام بين سجل وآخر."}},
			}},
		{Code: SupplierConcentration, Applies: bothKinds,
			Title: mizan.Text{"en": "Supplier concentration", "ar": "تركّز الموردين"},
			Description: mizan.Text{
				"en": "A buyer's spending in one year and currency is concentrated on few suppliers: its Herfindahl–Hirschman index (the sum of the squared percentage shares of its suppliers, 0–10,000) is above the threshold.",
				"ar": "إنفاق جهة مشترية في سنة وعملة واحدة متركّز لدى قلة من الموردين: مؤشر هيرفندال–هيرشمان (مجموع مربعات الحصص المئوية لمورديها، 0–10000) أعلى من الحد."},
			Params: []ParamDoc{
				{Name: "concentration_hhi", Default: num(d.ConcentrationHHI), Description: mizan.Text{"en": "HHI above which a buyer-year is flagged.", "ar": "قيمة المؤشر التي تُعلَّم السنة فوقها."}},
				{Name: "concentration_min_records", Default: itoa(d.ConcentrationMinRecords), Description: mizan.Text{"en": "Minimum awards, contracts or payments of the buyer that year.", "ar": "أدنى عدد من الترسيات أو العقود أو الدفعات للجهة في السنة."}},
				{Name: "concentration_min_suppliers", Default: itoa(d.ConcentrationMinSuppliers), Description: mizan.Text{"en": "Minimum number of suppliers of the buyer that year.", "ar": "أدنى عدد من موردي الجهة في السنة."}},
			}},
		{Code: NewSupplierLargeAward, Applies: contractsOnly,
			Title: mizan.Text{"en": "New supplier wins a large award", "ar": "مورد جديد يفوز بترسية كبيرة"},
			Description: mizan.Text{
				"en": "A supplier's first award or contract in the dataset is larger than the buyer's usual large award (the quantile of all its awards in that currency).",
				"ar": "أول ترسية أو عقد لمورد في مجموعة البيانات أكبر من الترسيات الكبيرة المعتادة للجهة المشترية (الشريحة المئوية لكل ترسياتها بتلك العملة)."},
			Params: []ParamDoc{
				{Name: "new_supplier_quantile", Default: num(d.NewSupplierQuantile), Description: mizan.Text{"en": "Quantile of the buyer's awards the first award must exceed.", "ar": "الشريحة المئوية لترسيات الجهة التي يجب أن تتجاوزها الترسية الأولى."}},
				{Name: "new_supplier_min_buyer_records", Default: itoa(d.NewSupplierMinBuyerRecords), Description: mizan.Text{"en": "Minimum awards of the buyer in the currency.", "ar": "أدنى عدد من ترسيات الجهة بالعملة."}},
				{Name: "new_supplier_warmup_days", Default: itoa(d.NewSupplierWarmupDays), Description: mizan.Text{"en": "First awards within this many days of the dataset's first record are not flagged.", "ar": "لا تُعلَّم الترسيات الأولى خلال هذا العدد من الأيام من أول سجل في البيانات."}},
			}},
		{Code: DuplicatePayment, Applies: paymentsOnly,
			Title: mizan.Text{"en": "Possible duplicate payment", "ar": "احتمال دفعة مكررة"},
			Description: mizan.Text{
				"en": "Two or more payments by the same buyer to the same supplier of the same amount on the same date.",
				"ar": "دفعتان أو أكثر من الجهة نفسها إلى المورد نفسه بالمبلغ نفسه في التاريخ نفسه."},
			Params: []ParamDoc{
				{Name: "duplicate_min_amount", Default: d.DuplicateMinAmount, Description: mizan.Text{"en": "Smallest amount looked at.", "ar": "أصغر مبلغ يُفحص."}},
				{Name: "duplicate_min_transactions", Default: itoa(d.DuplicateMinTransactions), Description: mizan.Text{
					"en": "Fewest different transaction numbers among the copies; 2 leaves out one invoice split into equal lines (needs transaction numbers).",
					"ar": "أقل عدد من أرقام المعاملات المختلفة بين النسخ؛ القيمة 2 تستبعد الفاتورة الواحدة المقسّمة إلى بنود متساوية (تتطلب أرقام المعاملات)."}},
			}},
		{Code: RoundAmount, Applies: paymentsOnly,
			Title: mizan.Text{"en": "Unusually many round amounts", "ar": "مبالغ مدوّرة بكثرة غير معتادة"},
			Description: mizan.Text{
				"en": "A supplier's payments are exact multiples of the round unit far more often than the dataset's payments are.",
				"ar": "دفعات المورد مضاعفات تامة لوحدة التدوير أكثر بكثير مما هو عليه في دفعات مجموعة البيانات عمومًا."},
			Params: []ParamDoc{
				{Name: "round_unit", Default: d.RoundUnit, Description: mizan.Text{"en": "An amount is round when it is an exact multiple of this.", "ar": "يكون المبلغ مدوّرًا إذا كان مضاعفًا تامًا لهذه القيمة."}},
				{Name: "round_min_amount", Default: d.RoundMinAmount, Description: mizan.Text{"en": "Payments below this are not looked at.", "ar": "لا تُفحص الدفعات الأقل من هذا."}},
				{Name: "round_min_payments", Default: itoa(d.RoundMinPayments), Description: mizan.Text{"en": "Minimum round payments of the supplier.", "ar": "أدنى عدد من الدفعات المدوّرة للمورد."}},
				{Name: "round_min_share", Default: num(d.RoundMinShare), Description: mizan.Text{"en": "Minimum share of the supplier's payments that are round.", "ar": "أدنى حصة من دفعات المورد المدوّرة."}},
				{Name: "round_min_z", Default: num(d.RoundMinZ), Description: mizan.Text{"en": "Minimum binomial z-score against the dataset's share of round payments.", "ar": "أدنى قيمة z ذات الحدين مقارنة بحصة الدفعات المدوّرة في البيانات."}},
			}},
		{Code: YearEndSpike, Applies: bothKinds,
			Title: mizan.Text{"en": "Year-end spending spike", "ar": "قفزة إنفاق في نهاية السنة"},
			Description: mizan.Text{
				"en": "A buyer spent (paid, or contracted) in the last month of a fiscal year at least the ratio times its average month of the other eleven.",
				"ar": "أنفقت جهة (دفعًا أو تعاقدًا) في الشهر الأخير من السنة المالية ما لا يقل عن النسبة مضروبة في متوسط شهرها في الأشهر الأحد عشر الأخرى."},
			Params: []ParamDoc{
				{Name: "fiscal_year_end_month", Default: "0", Description: mizan.Text{"en": "Last month of the fiscal year (1–12); 0 takes it from the dataset's country (March for GB and CA, December when unknown).", "ar": "الشهر الأخير من السنة المالية (1–12)؛ 0 يأخذه من بلد البيانات (مارس للمملكة المتحدة وكندا، وديسمبر إن لم يُعرف)."}},
				{Name: "year_end_ratio", Default: num(d.YearEndRatio), Description: mizan.Text{"en": "Ratio of the last month to the average other month at or above which the year is flagged.", "ar": "نسبة الشهر الأخير إلى متوسط الأشهر الأخرى التي تُعلَّم السنة عندها أو فوقها."}},
				{Name: "year_end_min_records", Default: itoa(d.YearEndMinRecords), Description: mizan.Text{"en": "Minimum records of the buyer in the fiscal year.", "ar": "أدنى عدد من سجلات الجهة في السنة المالية."}},
			}},
	}
}

// applies reports whether a code is computed for a kind of dataset.
func applies(code string, kind mizan.Kind) bool {
	for _, d := range Definitions() {
		if d.Code == code {
			for _, k := range d.Applies {
				if k == kind {
					return true
				}
			}
		}
	}
	return false
}
