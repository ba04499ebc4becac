package synth

// The fictional state: its ministries, their departments and programmes,
// its governorates, funds and the economic items lines are drawn from.
// Weights are relative shares; amounts are derived from them in model.go.

// profile names the mix of economic items a department spends on.
type profile int

const (
	pStd       profile = iota // a typical administration
	pField                    // service delivery: mostly wages
	pHealth                   // hospitals and clinics
	pMedicines                // central purchasing of medicines
	pCapital                  // investment-heavy
	pDefence                  // armed forces
	pInterest                 // public debt
	pPensions                 // civil and military pensions
	pTransfers                // transfers to other government units
	pSocial                   // cash assistance
	pSubsidyPC                // subsidies to public corporations
	pSubsidyPE                // subsidies to private enterprises
	pForeign                  // embassies abroad
)

type itemWeight struct {
	code   string
	weight int64
}

// profiles gives each profile's expenditure items and their weights.
var profiles = map[profile][]itemWeight{
	pStd:       {{"211", 52}, {"212", 8}, {"221", 7}, {"222", 6}, {"223", 5}, {"224", 2}, {"225", 6}, {"311", 14}},
	pField:     {{"211", 62}, {"212", 9}, {"221", 8}, {"222", 5}, {"223", 5}, {"225", 3}, {"311", 8}},
	pHealth:    {{"211", 42}, {"212", 6}, {"221", 8}, {"226", 22}, {"222", 4}, {"223", 4}, {"225", 4}, {"311", 10}},
	pMedicines: {{"226", 90}, {"211", 6}, {"212", 1}, {"225", 3}},
	pCapital:   {{"211", 20}, {"212", 3}, {"221", 4}, {"223", 8}, {"225", 8}, {"311", 52}, {"314", 5}},
	pDefence:   {{"211", 55}, {"212", 8}, {"221", 12}, {"223", 8}, {"225", 4}, {"311", 13}},
	pInterest:  {{"241", 35}, {"242", 65}},
	pPensions:  {{"273", 100}},
	pTransfers: {{"263", 100}},
	pSocial:    {{"272", 78}, {"211", 12}, {"212", 2}, {"221", 3}, {"222", 2}, {"225", 3}},
	pSubsidyPC: {{"251", 85}, {"211", 8}, {"212", 1}, {"221", 2}, {"225", 4}},
	pSubsidyPE: {{"252", 85}, {"211", 8}, {"212", 1}, {"221", 2}, {"225", 4}},
	pForeign:   {{"211", 45}, {"212", 5}, {"222", 18}, {"224", 10}, {"221", 5}, {"262", 17}},
}

// nationalItems are the state's own subdivisions of GFS 22 Use of goods and
// services, which GFSM 2014 leaves undivided.
var nationalItems = map[string][2]string{ // code → en, ar
	"221": {"Supplies and materials", "اللوازم والمواد"},
	"222": {"Rents and utilities", "الإيجارات والمنافع العامة"},
	"223": {"Maintenance and repairs", "الصيانة والإصلاح"},
	"224": {"Travel and training", "السفر والتدريب"},
	"225": {"Contracted services", "الخدمات التعاقدية"},
	"226": {"Medicines and medical supplies", "الأدوية واللوازم الطبية"},
}

type name struct{ en, ar string }

type department struct {
	name
	cofog   string // COFOG class of the department's mission
	weight  int64  // share of the ministry's expenditure
	prog    int    // index into the ministry's programmes
	profile profile
	field   bool // has an office in every governorate
	// revenue is what the department collects: GFS revenue item →
	// weight in basis points of total revenue.
	revenue []itemWeight
}

type ministry struct {
	name
	weight     int64 // basis points of total expenditure
	programmes []name
	depts      []department
}

var (
	adminSupport = name{"Administration and support services", "الإدارة والخدمات المساندة"}
	secretariat  = name{"General Secretariat", "الأمانة العامة"}
)

// ministries are numbered from 01 in this order.
var ministries = []ministry{
	{name{"Prime Ministry", "رئاسة الوزراء"}, 80,
		[]name{adminSupport, {"Government policy coordination", "تنسيق السياسات الحكومية"}, {"Civil service management", "إدارة الخدمة المدنية"}},
		[]department{
			{name: secretariat, cofog: "01.1.1", weight: 40, prog: 0, profile: pStd},
			{name: name{"Legislation and Opinion Bureau", "ديوان التشريع والرأي"}, cofog: "01.1.1", weight: 15, prog: 1, profile: pStd},
			{name: name{"Civil Service Bureau", "ديوان الخدمة المدنية"}, cofog: "01.3.1", weight: 20, prog: 2, profile: pStd},
			{name: name{"Audit Bureau", "ديوان المحاسبة"}, cofog: "01.1.1", weight: 25, prog: 1, profile: pStd},
		}},
	{name{"Parliament", "مجلس الأمة"}, 40,
		[]name{{"Legislative and oversight work", "العمل التشريعي والرقابي"}},
		[]department{
			{name: name{"General Secretariat of the House of Representatives", "الأمانة العامة لمجلس النواب"}, cofog: "01.1.1", weight: 70, profile: pStd},
			{name: name{"General Secretariat of the Senate", "الأمانة العامة لمجلس الأعيان"}, cofog: "01.1.1", weight: 30, profile: pStd},
		}},
	{name{"Ministry of Finance", "وزارة المالية"}, 2700,
		[]name{adminSupport, {"Public financial management", "إدارة المالية العامة"}, {"Public debt management", "إدارة الدين العام"},
			{"Revenue administration", "الإدارة الضريبية والجمركية"}, {"Pensions", "التقاعد"}, {"Transfers to local government", "التحويلات إلى الإدارة المحلية"}},
		[]department{
			{name: secretariat, cofog: "01.1.2", weight: 60, prog: 0, profile: pStd, revenue: []itemWeight{{"141", 300}, {"116", 200}}},
			{name: name{"General Budget Department", "دائرة الموازنة العامة"}, cofog: "01.1.2", weight: 20, prog: 1, profile: pStd},
			{name: name{"Public Debt Department", "دائرة الدين العام"}, cofog: "01.7.0", weight: 1150, prog: 2, profile: pInterest},
			{name: name{"Income and Sales Tax Department", "دائرة ضريبة الدخل والمبيعات"}, cofog: "01.1.2", weight: 60, prog: 3, profile: pStd, field: true,
				revenue: []itemWeight{{"111", 2000}, {"114", 3600}}},
			{name: name{"Customs Department", "دائرة الجمارك"}, cofog: "01.1.2", weight: 60, prog: 3, profile: pStd, field: true, revenue: []itemWeight{{"115", 800}}},
			{name: name{"Department of Lands and Survey", "دائرة الأراضي والمساحة"}, cofog: "01.3.3", weight: 30, prog: 3, profile: pStd, field: true, revenue: []itemWeight{{"113", 400}}},
			{name: name{"Civil and Military Pensions Department", "دائرة التقاعد المدني والعسكري"}, cofog: "10.2.0", weight: 1100, prog: 4, profile: pPensions},
			{name: name{"Local Government Transfers Unit", "وحدة التحويلات إلى البلديات"}, cofog: "01.8.0", weight: 220, prog: 5, profile: pTransfers},
		}},
	{name{"Ministry of Foreign Affairs", "وزارة الخارجية"}, 100,
		[]name{adminSupport, {"Diplomatic representation", "التمثيل الدبلوماسي"}, {"Consular services", "الخدمات القنصلية"}},
		[]department{
			{name: secretariat, cofog: "01.1.3", weight: 20, prog: 0, profile: pStd},
			{name: name{"Embassies and Missions Abroad", "السفارات والبعثات في الخارج"}, cofog: "01.1.3", weight: 60, prog: 1, profile: pForeign},
			{name: name{"Consular Affairs Department", "دائرة الشؤون القنصلية"}, cofog: "01.1.3", weight: 20, prog: 2, profile: pStd, revenue: []itemWeight{{"142", 100}}},
		}},
	{name{"Ministry of Planning and International Cooperation", "وزارة التخطيط والتعاون الدولي"}, 60,
		[]name{adminSupport, {"Development planning", "التخطيط التنموي"}, {"Official statistics", "الإحصاءات العامة"}},
		[]department{
			{name: secretariat, cofog: "01.3.2", weight: 20, prog: 0, profile: pStd, revenue: []itemWeight{{"131", 800}, {"132", 250}}},
			{name: name{"Development Planning Department", "دائرة التخطيط التنموي"}, cofog: "01.3.2", weight: 25, prog: 1, profile: pStd},
			{name: name{"Department of Statistics", "دائرة الإحصاءات العامة"}, cofog: "01.3.2", weight: 35, prog: 2, profile: pStd, field: true},
			{name: name{"Development Projects Unit", "وحدة المشاريع التنموية"}, cofog: "04.7.4", weight: 20, prog: 1, profile: pCapital},
		}},
	{name{"Ministry of Defence", "وزارة الدفاع"}, 1150,
		[]name{adminSupport, {"Land forces", "القوات البرية"}, {"Air and air defence forces", "القوات الجوية والدفاع الجوي"},
			{"Naval forces", "القوات البحرية"}, {"Military medical services", "الخدمات الطبية العسكرية"}},
		[]department{
			{name: secretariat, cofog: "02.1.0", weight: 5, prog: 0, profile: pStd},
			{name: name{"General Command of the Armed Forces", "القيادة العامة للقوات المسلحة"}, cofog: "02.1.0", weight: 20, prog: 0, profile: pDefence},
			{name: name{"Land Forces Command", "قيادة القوات البرية"}, cofog: "02.1.0", weight: 35, prog: 1, profile: pDefence, field: true},
			{name: name{"Air Force Command", "قيادة القوات الجوية"}, cofog: "02.1.0", weight: 15, prog: 2, profile: pDefence},
			{name: name{"Naval Forces Command", "قيادة القوات البحرية"}, cofog: "02.1.0", weight: 8, prog: 3, profile: pDefence},
			{name: name{"Military Medical Services Directorate", "مديرية الخدمات الطبية العسكرية"}, cofog: "07.3.1", weight: 12, prog: 4, profile: pHealth},
			{name: name{"Military Research and Development Centre", "مركز البحث والتطوير العسكري"}, cofog: "02.4.0", weight: 5, prog: 0, profile: pCapital},
		}},
	{name{"Ministry of Interior", "وزارة الداخلية"}, 800,
		[]name{adminSupport, {"Public security", "الأمن العام"}, {"Civil defence and rescue", "الدفاع المدني والإنقاذ"},
			{"Civil status and passports", "الأحوال المدنية والجوازات"}, {"Correction and rehabilitation", "الإصلاح والتأهيل"}},
		[]department{
			{name: secretariat, cofog: "03.6.0", weight: 5, prog: 0, profile: pStd},
			{name: name{"Public Security Directorate", "مديرية الأمن العام"}, cofog: "03.1.0", weight: 60, prog: 1, profile: pField, field: true, revenue: []itemWeight{{"143", 200}}},
			{name: name{"General Directorate of Civil Defence", "المديرية العامة للدفاع المدني"}, cofog: "03.2.0", weight: 15, prog: 2, profile: pField, field: true},
			{name: name{"Civil Status and Passports Department", "دائرة الأحوال المدنية والجوازات"}, cofog: "01.3.3", weight: 8, prog: 3, profile: pStd, field: true, revenue: []itemWeight{{"142", 250}}},
			{name: name{"Correction and Rehabilitation Centres Department", "إدارة مراكز الإصلاح والتأهيل"}, cofog: "03.4.0", weight: 12, prog: 4, profile: pField, field: true},
		}},
	{name{"Ministry of Justice", "وزارة العدل"}, 100,
		[]name{adminSupport, {"Judicial services", "الخدمات القضائية"}, {"Enforcement and notary services", "التنفيذ والكاتب العدل"}},
		[]department{
			{name: secretariat, cofog: "03.3.0", weight: 15, prog: 0, profile: pStd},
			{name: name{"Courts of First Instance", "محاكم البداية"}, cofog: "03.3.0", weight: 45, prog: 1, profile: pField, field: true, revenue: []itemWeight{{"142", 100}}},
			{name: name{"Courts of Appeal", "محاكم الاستئناف"}, cofog: "03.3.0", weight: 15, prog: 1, profile: pStd},
			{name: name{"Court of Cassation", "محكمة التمييز"}, cofog: "03.3.0", weight: 10, prog: 1, profile: pStd},
			{name: name{"Enforcement and Notary Department", "دائرة التنفيذ والكاتب العدل"}, cofog: "03.3.0", weight: 15, prog: 2, profile: pStd, field: true},
		}},
	{name{"Ministry of Education", "وزارة التربية والتعليم"}, 1300,
		[]name{adminSupport, {"Early childhood education", "التعليم في مرحلة الطفولة المبكرة"}, {"Basic education", "التعليم الأساسي"},
			{"Secondary education", "التعليم الثانوي"}, {"Vocational education", "التعليم المهني"}, {"Educational support services", "خدمات الدعم التعليمي"}},
		[]department{
			{name: secretariat, cofog: "09.8.0", weight: 4, prog: 0, profile: pStd},
			{name: name{"Directorate of Kindergartens", "مديرية رياض الأطفال"}, cofog: "09.1.1", weight: 5, prog: 1, profile: pField, field: true},
			{name: name{"Directorate of Basic Education", "مديرية التعليم الأساسي"}, cofog: "09.1.2", weight: 45, prog: 2, profile: pField, field: true},
			{name: name{"Directorate of Secondary Education", "مديرية التعليم الثانوي"}, cofog: "09.2.2", weight: 25, prog: 3, profile: pField, field: true},
			{name: name{"Directorate of Vocational Education and Training", "مديرية التعليم والتدريب المهني"}, cofog: "09.3.0", weight: 6, prog: 4, profile: pField, field: true},
			{name: name{"Directorate of School Buildings", "مديرية الأبنية المدرسية"}, cofog: "09.5.0", weight: 8, prog: 5, profile: pCapital, field: true},
			{name: name{"Directorate of Curricula and Textbooks", "مديرية المناهج والكتب المدرسية"}, cofog: "09.6.0", weight: 4, prog: 5, profile: pStd},
			{name: name{"Directorate of School Nutrition", "مديرية التغذية المدرسية"}, cofog: "09.6.0", weight: 3, prog: 5, profile: pStd, field: true},
		}},
	{name{"Ministry of Higher Education and Scientific Research", "وزارة التعليم العالي والبحث العلمي"}, 300,
		[]name{adminSupport, {"Support to public universities", "دعم الجامعات الرسمية"}, {"Scholarships and student loans", "البعثات والقروض الطلابية"}, {"Scientific research", "البحث العلمي"}},
		[]department{
			{name: secretariat, cofog: "09.4.1", weight: 5, prog: 0, profile: pStd},
			{name: name{"Public Universities Support Department", "دائرة دعم الجامعات الرسمية"}, cofog: "09.4.1", weight: 55, prog: 1, profile: pTransfers},
			{name: name{"Scholarships and Student Loans Directorate", "مديرية البعثات والقروض الطلابية"}, cofog: "09.4.1", weight: 20, prog: 2, profile: pSocial},
			{name: name{"Postgraduate Studies Fund", "صندوق الدراسات العليا"}, cofog: "09.4.2", weight: 8, prog: 2, profile: pSocial},
			{name: name{"Scientific Research Support Fund", "صندوق دعم البحث العلمي"}, cofog: "01.4.0", weight: 12, prog: 3, profile: pTransfers},
		}},
	{name{"Ministry of Health", "وزارة الصحة"}, 900,
		[]name{adminSupport, {"Primary health care", "الرعاية الصحية الأولية"}, {"Hospital services", "الخدمات العلاجية في المستشفيات"},
			{"Disease prevention and control", "الوقاية من الأمراض ومكافحتها"}, {"Medicines and medical supplies", "الدواء والمستلزمات الطبية"}},
		[]department{
			{name: secretariat, cofog: "07.6.0", weight: 4, prog: 0, profile: pStd},
			{name: name{"Directorate of Primary Health Care", "مديرية الرعاية الصحية الأولية"}, cofog: "07.2.1", weight: 22, prog: 1, profile: pHealth, field: true},
			{name: name{"Directorate of Hospitals", "مديرية المستشفيات"}, cofog: "07.3.1", weight: 40, prog: 2, profile: pHealth, field: true, revenue: []itemWeight{{"142", 120}}},
			{name: name{"Directorate of Specialised Hospitals", "مديرية المستشفيات التخصصية"}, cofog: "07.3.2", weight: 10, prog: 2, profile: pHealth},
			{name: name{"Directorate of Maternal and Child Health", "مديرية صحة الأم والطفل"}, cofog: "07.3.3", weight: 6, prog: 1, profile: pHealth, field: true},
			{name: name{"Directorate of Communicable Disease Control", "مديرية مكافحة الأمراض السارية"}, cofog: "07.4.0", weight: 6, prog: 3, profile: pHealth},
			{name: name{"Joint Procurement Department", "دائرة الشراء الموحد"}, cofog: "07.1.1", weight: 10, prog: 4, profile: pMedicines},
			{name: name{"Directorate of Oral and Dental Health", "مديرية صحة الفم والأسنان"}, cofog: "07.2.3", weight: 2, prog: 1, profile: pHealth, field: true},
		}},
	{name{"Ministry of Social Development", "وزارة التنمية الاجتماعية"}, 400,
		[]name{adminSupport, {"Social assistance", "المعونة الاجتماعية"}, {"Care for persons with disabilities", "رعاية الأشخاص ذوي الإعاقة"}, {"Family and childhood protection", "حماية الأسرة والطفولة"}},
		[]department{
			{name: secretariat, cofog: "10.9.0", weight: 4, prog: 0, profile: pStd},
			{name: name{"National Aid Fund", "صندوق المعونة الوطنية"}, cofog: "10.7.0", weight: 55, prog: 1, profile: pSocial, field: true},
			{name: name{"Directorate of Persons with Disabilities", "مديرية شؤون الأشخاص ذوي الإعاقة"}, cofog: "10.1.2", weight: 15, prog: 2, profile: pSocial, field: true},
			{name: name{"Directorate of Family and Childhood", "مديرية الأسرة والطفولة"}, cofog: "10.4.0", weight: 18, prog: 3, profile: pSocial, field: true},
			{name: name{"Directorate of Elderly Care", "مديرية رعاية المسنين"}, cofog: "10.2.0", weight: 8, prog: 3, profile: pSocial},
		}},
	{name{"Ministry of Labour", "وزارة العمل"}, 60,
		[]name{adminSupport, {"Labour market regulation", "تنظيم سوق العمل"}, {"Employment and training", "التشغيل والتدريب"}},
		[]department{
			{name: secretariat, cofog: "04.1.2", weight: 20, prog: 0, profile: pStd, revenue: []itemWeight{{"142", 150}}},
			{name: name{"Labour Inspection Directorate", "مديرية التفتيش العمالي"}, cofog: "04.1.2", weight: 25, prog: 1, profile: pStd, field: true},
			{name: name{"Employment Directorate", "مديرية التشغيل"}, cofog: "10.5.0", weight: 35, prog: 2, profile: pSocial},
			{name: name{"Vocational Training Corporation", "مؤسسة التدريب المهني"}, cofog: "04.1.2", weight: 20, prog: 2, profile: pField, field: true},
		}},
	{name{"Ministry of Public Works and Housing", "وزارة الأشغال العامة والإسكان"}, 400,
		[]name{adminSupport, {"Roads and bridges", "الطرق والجسور"}, {"Government buildings", "الأبنية الحكومية"}, {"Housing", "الإسكان"}},
		[]department{
			{name: secretariat, cofog: "04.5.1", weight: 3, prog: 0, profile: pStd},
			{name: name{"Directorate of Roads", "مديرية الطرق"}, cofog: "04.5.1", weight: 55, prog: 1, profile: pCapital, field: true},
			{name: name{"Directorate of Road Maintenance", "مديرية صيانة الطرق"}, cofog: "04.5.1", weight: 15, prog: 1, profile: pCapital, field: true},
			{name: name{"Directorate of Government Buildings", "مديرية الأبنية الحكومية"}, cofog: "01.3.3", weight: 12, prog: 2, profile: pCapital},
			{name: name{"Housing and Urban Development Corporation", "المؤسسة العامة للإسكان والتطوير الحضري"}, cofog: "06.1.0", weight: 15, prog: 3, profile: pCapital},
		}},
	{name{"Ministry of Water and Irrigation", "وزارة المياه والري"}, 300,
		[]name{adminSupport, {"Drinking water supply", "التزويد بمياه الشرب"}, {"Wastewater", "الصرف الصحي"}, {"Irrigation", "الري"}},
		[]department{
			{name: secretariat, cofog: "06.3.0", weight: 4, prog: 0, profile: pStd, revenue: []itemWeight{{"142", 150}}},
			{name: name{"Water Authority", "سلطة المياه"}, cofog: "06.3.0", weight: 50, prog: 1, profile: pCapital, field: true},
			{name: name{"Wastewater Directorate", "مديرية الصرف الصحي"}, cofog: "05.2.0", weight: 26, prog: 2, profile: pCapital, field: true},
			{name: name{"Irrigation Authority", "سلطة الري"}, cofog: "04.2.1", weight: 20, prog: 3, profile: pCapital},
		}},
	{name{"Ministry of Energy and Mineral Resources", "وزارة الطاقة والثروة المعدنية"}, 300,
		[]name{adminSupport, {"Electricity", "الكهرباء"}, {"Petroleum and gas", "النفط والغاز"}, {"Renewable energy", "الطاقة المتجددة"}, {"Mineral resources", "الثروة المعدنية"}},
		[]department{
			{name: secretariat, cofog: "04.3.5", weight: 4, prog: 0, profile: pStd},
			{name: name{"Electricity Support Unit", "وحدة دعم الكهرباء"}, cofog: "04.3.5", weight: 60, prog: 1, profile: pSubsidyPC},
			{name: name{"Petroleum Directorate", "مديرية النفط"}, cofog: "04.3.2", weight: 15, prog: 2, profile: pSubsidyPC, revenue: []itemWeight{{"141", 400}}},
			{name: name{"Renewable Energy Directorate", "مديرية الطاقة المتجددة"}, cofog: "04.3.5", weight: 11, prog: 3, profile: pCapital},
			{name: name{"Natural Resources Authority", "سلطة المصادر الطبيعية"}, cofog: "04.4.1", weight: 10, prog: 4, profile: pStd, revenue: []itemWeight{{"141", 150}}},
		}},
	{name{"Ministry of Agriculture", "وزارة الزراعة"}, 150,
		[]name{adminSupport, {"Plant production", "الإنتاج النباتي"}, {"Livestock", "الثروة الحيوانية"}, {"Forests and rangelands", "الحراج والمراعي"}},
		[]department{
			{name: secretariat, cofog: "04.2.1", weight: 6, prog: 0, profile: pStd},
			{name: name{"Agricultural Directorates", "مديريات الزراعة"}, cofog: "04.2.1", weight: 45, prog: 1, profile: pField, field: true},
			{name: name{"Veterinary Services Directorate", "مديرية الخدمات البيطرية"}, cofog: "04.2.1", weight: 20, prog: 2, profile: pStd, field: true},
			{name: name{"Forestry Directorate", "مديرية الحراج"}, cofog: "04.2.2", weight: 14, prog: 3, profile: pStd, field: true},
			{name: name{"Fisheries Directorate", "مديرية الثروة السمكية"}, cofog: "04.2.3", weight: 6, prog: 2, profile: pStd},
			{name: name{"National Centre for Agricultural Research", "المركز الوطني للبحوث الزراعية"}, cofog: "04.8.2", weight: 9, prog: 1, profile: pStd},
		}},
	{name{"Ministry of Transport", "وزارة النقل"}, 150,
		[]name{adminSupport, {"Land transport", "النقل البري"}, {"Civil aviation", "الطيران المدني"}, {"Maritime transport", "النقل البحري"}},
		[]department{
			{name: secretariat, cofog: "04.5.1", weight: 5, prog: 0, profile: pStd},
			{name: name{"Land Transport Regulatory Commission", "هيئة تنظيم النقل البري"}, cofog: "04.5.1", weight: 25, prog: 1, profile: pStd, revenue: []itemWeight{{"142", 200}}},
			{name: name{"Railway Corporation", "مؤسسة سكة الحديد"}, cofog: "04.5.3", weight: 30, prog: 1, profile: pCapital},
			{name: name{"Civil Aviation Authority", "هيئة الطيران المدني"}, cofog: "04.5.4", weight: 25, prog: 2, profile: pCapital},
			{name: name{"Ports Corporation", "مؤسسة الموانئ"}, cofog: "04.5.2", weight: 15, prog: 3, profile: pCapital},
		}},
	{name{"Ministry of Industry, Trade and Supply", "وزارة الصناعة والتجارة والتموين"}, 200,
		[]name{adminSupport, {"Trade and investment", "التجارة والاستثمار"}, {"Food security and supply", "الأمن الغذائي والتموين"}, {"Industrial development", "التنمية الصناعية"}},
		[]department{
			{name: secretariat, cofog: "04.1.1", weight: 5, prog: 0, profile: pStd, revenue: []itemWeight{{"142", 100}}},
			{name: name{"Directorate of Foreign Trade", "مديرية التجارة الخارجية"}, cofog: "04.1.1", weight: 8, prog: 1, profile: pStd},
			{name: name{"Directorate of Supply and Strategic Stocks", "مديرية التموين والمخزون الاستراتيجي"}, cofog: "04.7.1", weight: 70, prog: 2, profile: pSubsidyPE},
			{name: name{"Directorate of Industrial Development", "مديرية التنمية الصناعية"}, cofog: "04.4.2", weight: 10, prog: 3, profile: pStd},
			{name: name{"Standards and Metrology Organisation", "مؤسسة المواصفات والمقاييس"}, cofog: "04.1.1", weight: 7, prog: 1, profile: pStd, revenue: []itemWeight{{"142", 60}}},
		}},
	{name{"Ministry of Environment", "وزارة البيئة"}, 50,
		[]name{adminSupport, {"Waste management", "إدارة النفايات"}, {"Nature protection", "حماية الطبيعة"}},
		[]department{
			{name: secretariat, cofog: "05.6.0", weight: 10, prog: 0, profile: pStd},
			{name: name{"Directorate of Solid Waste Management", "مديرية إدارة النفايات الصلبة"}, cofog: "05.1.0", weight: 50, prog: 1, profile: pCapital, field: true},
			{name: name{"Directorate of Pollution Control", "مديرية مراقبة التلوث"}, cofog: "05.3.0", weight: 20, prog: 2, profile: pStd},
			{name: name{"Directorate of Nature Reserves", "مديرية المحميات الطبيعية"}, cofog: "05.4.0", weight: 20, prog: 2, profile: pStd},
		}},
	{name{"Ministry of Culture", "وزارة الثقافة"}, 60,
		[]name{adminSupport, {"Cultural affairs", "الشؤون الثقافية"}, {"Radio and television", "الإذاعة والتلفزيون"}},
		[]department{
			{name: secretariat, cofog: "08.2.0", weight: 10, prog: 0, profile: pStd},
			{name: name{"Directorate of Culture", "مديرية الثقافة"}, cofog: "08.2.0", weight: 25, prog: 1, profile: pStd, field: true},
			{name: name{"National Library", "المكتبة الوطنية"}, cofog: "08.2.0", weight: 10, prog: 1, profile: pStd},
			{name: name{"Radio and Television Corporation", "مؤسسة الإذاعة والتلفزيون"}, cofog: "08.3.0", weight: 55, prog: 2, profile: pStd},
		}},
	{name{"Ministry of Youth and Sports", "وزارة الشباب والرياضة"}, 50,
		[]name{adminSupport, {"Youth centres", "مراكز الشباب"}, {"Sports", "الرياضة"}},
		[]department{
			{name: secretariat, cofog: "08.1.0", weight: 10, prog: 0, profile: pStd},
			{name: name{"Youth Centres Directorate", "مديرية مراكز الشباب"}, cofog: "08.1.0", weight: 40, prog: 1, profile: pField, field: true},
			{name: name{"Sports Facilities Directorate", "مديرية المنشآت الرياضية"}, cofog: "08.1.0", weight: 50, prog: 2, profile: pCapital},
		}},
	{name{"Ministry of Awqaf and Islamic Affairs", "وزارة الأوقاف والشؤون الإسلامية"}, 100,
		[]name{adminSupport, {"Mosques and religious guidance", "المساجد والإرشاد الديني"}, {"Hajj and Umrah affairs", "شؤون الحج والعمرة"}},
		[]department{
			{name: secretariat, cofog: "08.4.0", weight: 10, prog: 0, profile: pStd},
			{name: name{"Directorate of Mosques", "مديرية المساجد"}, cofog: "08.4.0", weight: 70, prog: 1, profile: pField, field: true},
			{name: name{"Directorate of Hajj and Umrah", "مديرية الحج والعمرة"}, cofog: "08.4.0", weight: 20, prog: 2, profile: pStd, revenue: []itemWeight{{"142", 50}}},
		}},
	{name{"Ministry of Tourism and Antiquities", "وزارة السياحة والآثار"}, 40,
		[]name{adminSupport, {"Tourism promotion", "الترويج السياحي"}, {"Antiquities", "الآثار"}},
		[]department{
			{name: secretariat, cofog: "04.7.3", weight: 10, prog: 0, profile: pStd},
			{name: name{"Tourism Promotion Authority", "هيئة تنشيط السياحة"}, cofog: "04.7.3", weight: 45, prog: 1, profile: pStd},
			{name: name{"Department of Antiquities", "دائرة الآثار العامة"}, cofog: "08.2.0", weight: 45, prog: 2, profile: pCapital, field: true, revenue: []itemWeight{{"142", 100}}},
		}},
	{name{"Ministry of Digital Economy and Communications", "وزارة الاقتصاد الرقمي والاتصالات"}, 40,
		[]name{adminSupport, {"Digital government", "الحكومة الرقمية"}, {"Telecommunications regulation", "تنظيم قطاع الاتصالات"}},
		[]department{
			{name: secretariat, cofog: "04.6.0", weight: 10, prog: 0, profile: pStd},
			{name: name{"Digital Transformation Directorate", "مديرية التحول الرقمي"}, cofog: "04.6.0", weight: 60, prog: 1, profile: pCapital},
			{name: name{"Telecommunications Regulatory Commission", "هيئة تنظيم قطاع الاتصالات"}, cofog: "04.6.0", weight: 30, prog: 2, profile: pStd, revenue: []itemWeight{{"142", 250}}},
		}},
	{name{"Ministry of Local Administration", "وزارة الإدارة المحلية"}, 150,
		[]name{adminSupport, {"Local development", "التنمية المحلية"}, {"Municipal services", "الخدمات البلدية"}},
		[]department{
			{name: secretariat, cofog: "06.2.0", weight: 5, prog: 0, profile: pStd},
			{name: name{"Local Development Directorate", "مديرية التنمية المحلية"}, cofog: "06.2.0", weight: 45, prog: 1, profile: pCapital, field: true},
			{name: name{"Street Lighting Directorate", "مديرية إنارة الشوارع"}, cofog: "06.4.0", weight: 20, prog: 2, profile: pStd, field: true},
			{name: name{"Directorate of Municipal Affairs", "مديرية الشؤون البلدية"}, cofog: "06.6.0", weight: 30, prog: 2, profile: pStd, field: true},
		}},
}

type governorate struct {
	name
	weight int64 // share of the population, per mille
}

// governorates are numbered from 01; code 00 is the central government,
// nationwide.
var (
	central      = name{"Central government (nationwide)", "الحكومة المركزية (على المستوى الوطني)"}
	governorates = []governorate{
		{name{"Capital Governorate", "محافظة العاصمة"}, 270},
		{name{"Northern Governorate", "محافظة الشمال"}, 130},
		{name{"Southern Governorate", "محافظة الجنوب"}, 60},
		{name{"Eastern Governorate", "المحافظة الشرقية"}, 90},
		{name{"Western Governorate", "المحافظة الغربية"}, 70},
		{name{"Central Governorate", "المحافظة الوسطى"}, 110},
		{name{"Coastal Governorate", "محافظة الساحل"}, 80},
		{name{"Mountain Governorate", "محافظة الجبل"}, 50},
		{name{"Valley Governorate", "محافظة الوادي"}, 45},
		{name{"Badia Governorate", "محافظة البادية"}, 25},
		{name{"River Governorate", "محافظة النهر"}, 45},
		{name{"Oasis Governorate", "محافظة الواحة"}, 25},
	}
)

// Funds, by code.
var funds = []name{
	{"General budget", "الموازنة العامة"},
	{"External grants", "المنح الخارجية"},
	{"Loans", "القروض"},
}

const (
	fundGeneral = iota
	fundGrants
	fundLoans
)

// Unit name parts.
var (
	hqSuffix = name{"Headquarters", "المركز الرئيسي"}
	ccSuffix = name{"cost centre ", "مركز كلفة "}
)
