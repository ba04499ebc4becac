package flags

import (
	"fmt"
	"strings"

	"github.com/mizan-budget/mizan"
)

// docRef is where each flag is documented; every reason cites it.
const docRef = "docs/red-flags.md#"

// arabicMonths are the month names used in Arabic reasons (Levantine and
// Gulf usage differ; these are the ones most readers of both know).
var arabicMonths = [...]string{"", "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}

var englishMonths = [...]string{"", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// reason writes the one-sentence explanation of a flag in English and
// Arabic, with its numbers, citing its definition.
func reason(f *Flag, c *computation) mizan.Text {
	g := f.Figures
	buyer := orDash(f.BuyerName)
	supplier := orDash(f.SupplierName)
	ref := " (" + docRef + f.Code + ")"
	var en, ar string
	switch f.Code {
	case SingleBidder:
		m := orDash(g["method"])
		en = fmt.Sprintf("Only 1 tenderer took part in this %s procedure of %s, a procedure meant to be competitive.", m, buyer)
		ar = fmt.Sprintf("شارك عارض واحد فقط في هذا الإجراء (%s) لدى %s، مع أنه إجراء يُفترض أن يكون تنافسيًا.", m, buyer)
	case NonCompetitiveShare:
		sh := pct(atof(g["share"]))
		en = fmt.Sprintf("In %d, %s awarded %s of its %s contract value (%s of %s) through limited or direct procedures, in %s processes; the threshold is %s.",
			f.Year, buyer, sh, f.Currency, g["noncompetitive_value"], g["total_value"], g["noncompetitive_processes"], pct(atof(g["threshold_share"])))
		ar = fmt.Sprintf("في %d رسّت %s %s من قيمة عقودها بعملة %s (%s من %s) بإجراءات محدودة أو مباشرة (عدد الإجراءات: %s)؛ والحد %s.",
			f.Year, buyer, sh, f.Currency, g["noncompetitive_value"], g["total_value"], g["noncompetitive_processes"], pct(atof(g["threshold_share"])))
	case ShortTender:
		en = fmt.Sprintf("The tender was open for %s days (%s to %s), fewer than the %s-day threshold.", g["tender_days"], g["tender_start"], g["tender_end"], g["threshold_days"])
		ar = fmt.Sprintf("ظلت المناقصة مفتوحة %s يومًا (من %s إلى %s)، أقل من الحد البالغ %s يومًا.", g["tender_days"], g["tender_start"], g["tender_end"], g["threshold_days"])
	case AmendmentIncrease:
		en = fmt.Sprintf("Contract %s rose from %s to %s %s (+%s%%) after %s amendments, beyond the %s%% threshold.",
			orDash(g["contract_id"]), g["initial_amount"], g["final_amount"], f.Currency, g["increase_pct"], g["amendments"], g["threshold_pct"])
		ar = fmt.Sprintf("ارتفعت قيمة العقد %s من %s إلى %s %s (+%s%%) بعد تعديلات عددها %s، متجاوزة الحد البالغ %s%%.",
			orDash(g["contract_id"]), g["initial_amount"], g["final_amount"], f.Currency, g["increase_pct"], g["amendments"], g["threshold_pct"])
	case AboveEstimate:
		en = fmt.Sprintf("%s %s was awarded against an estimate of %s (+%s%%), beyond the %s%% threshold.",
			g["awarded"], f.Currency, g["estimate"], g["excess_pct"], g["threshold_pct"])
		ar = fmt.Sprintf("رُسّي مبلغ %s %s مقابل تقدير قدره %s (+%s%%)، متجاوزًا الحد البالغ %s%%.",
			g["awarded"], f.Currency, g["estimate"], g["excess_pct"], g["threshold_pct"])
	case SplitPurchase:
		en = fmt.Sprintf("%s paid %s %s records between %s and %s, each just under the %s %s threshold (at least %s), together %s.",
			buyer, supplier, g["records"], g["first_date"], g["last_date"], g["threshold"], f.Currency, g["floor"], g["total"])
		ar = fmt.Sprintf("سجّلت %s لصالح %s سجلات عددها %s بين %s و%s، كل منها أقل بقليل من الحد البالغ %s %s (لا يقل عن %s)، ومجموعها %s.",
			buyer, supplier, g["records"], g["first_date"], g["last_date"], g["threshold"], f.Currency, g["floor"], g["total"])
	case SupplierConcentration:
		en = fmt.Sprintf("In %d, %s's %s spending was concentrated: HHI %s over %s suppliers (threshold %s); %s received %s%% (%s of %s).",
			f.Year, buyer, f.Currency, g["hhi"], g["suppliers"], g["threshold_hhi"], supplier, g["top_supplier_share_pct"], g["top_supplier_value"], g["total_value"])
		ar = fmt.Sprintf("في %d تركّز إنفاق %s بعملة %s: مؤشر هيرفندال–هيرشمان %s بين موردين عددهم %s (الحد %s)؛ وحصل %s على %s%% (%s من %s).",
			f.Year, buyer, f.Currency, g["hhi"], g["suppliers"], g["threshold_hhi"], supplier, g["top_supplier_share_pct"], g["top_supplier_value"], g["total_value"])
	case NewSupplierLargeAward:
		en = fmt.Sprintf("%s's first appearance in the data (%s) is an award of %s %s from %s, %s times the buyer's %s quantile (%s).",
			supplier, g["first_date"], f.Amount, f.Currency, buyer, g["ratio"], g["quantile"], g["buyer_quantile_value"])
		ar = fmt.Sprintf("أول ظهور لـ%s في البيانات (%s) ترسية بمبلغ %s %s من %s، أي %s ضعف الشريحة %s لترسيات الجهة (%s).",
			supplier, g["first_date"], f.Amount, f.Currency, buyer, g["ratio"], g["quantile"], g["buyer_quantile_value"])
	case DuplicatePayment:
		en = fmt.Sprintf("%s paid %s the same amount, %s %s, %s times on %s.", buyer, supplier, g["amount"], f.Currency, g["copies"], g["date"])
		ar = fmt.Sprintf("دفعت %s إلى %s المبلغ نفسه، %s %s، في %s (عدد المرات: %s).", buyer, supplier, g["amount"], f.Currency, g["date"], g["copies"])
	case RoundAmount:
		en = fmt.Sprintf("%s of %s payments to %s of at least %s are exact multiples of %s (%s%%), against %s%% of all such payments in the dataset (z = %s).",
			g["round_payments"], g["payments"], supplier, g["min_amount"], g["unit"], g["share_pct"], g["dataset_share_pct"], g["z"])
		ar = fmt.Sprintf("من الدفعات إلى %s التي لا تقل عن %s، %s من أصل %s مضاعفات تامة لـ%s (%s%%)، مقابل %s%% من مثيلاتها في البيانات كلها (z = %s).",
			supplier, g["min_amount"], g["round_payments"], g["payments"], g["unit"], g["share_pct"], g["dataset_share_pct"], g["z"])
	case YearEndSpike:
		mo := c.fyEnd
		en = fmt.Sprintf("%s spent %s %s in %s, the last month of fiscal year %s: %s times its average month of %s in the rest of the year (threshold %s).",
			buyer, g["last_month_amount"], f.Currency, englishMonths[mo]+" "+strings.SplitN(g["last_month"], "-", 2)[0], g["fiscal_year"], g["ratio"], g["average_other_month"], g["threshold_ratio"])
		ar = fmt.Sprintf("أنفقت %s مبلغ %s %s في %s، الشهر الأخير من السنة المالية %s: %s ضعف متوسط شهرها البالغ %s في بقية السنة (الحد %s).",
			buyer, g["last_month_amount"], f.Currency, arabicMonths[mo]+" "+strings.SplitN(g["last_month"], "-", 2)[0], g["fiscal_year"], g["ratio"], g["average_other_month"], g["threshold_ratio"])
	}
	return mizan.Text{"en": en + ref, "ar": ar + ref}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func atof(s string) float64 {
	var f float64
	fmt.Sscan(s, &f)
	return f
}
