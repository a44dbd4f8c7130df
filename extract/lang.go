package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/vcenrich/vcenrich/firm"
)

// Team pages are written in many languages. The English vocabulary lives
// beside the rules that use it; this file holds the other languages' words
// for the same roles, sections and links, and the rules for names written in
// Chinese, Japanese or Korean script, which have no capital letters to go by.

// foreignRoleWords are job-title words in German, French, Spanish,
// Portuguese, Italian and Dutch (lower case, accents as written).
var foreignRoleWords = set(
	// German
	"geschäftsführer", "geschäftsführerin", "gründer", "gründerin", "mitgründer", "mitgründerin",
	"partnerin", "vorstand", "vorständin", "vorsitzender", "vorsitzende", "leiter", "leiterin",
	"prokurist", "prokuristin", "assistentin", "assistent", "beraterin", "berater", "inhaber", "inhaberin",
	"referent", "referentin", "analystin", "associates", "investmentmanager", "investmentmanagerin",
	"praktikant", "praktikantin", "werkstudent", "werkstudentin", "sekretärin", "buchhalterin",
	// French
	"associé", "associée", "associés", "fondateur", "fondatrice", "cofondateur", "cofondatrice",
	"directeur", "directrice", "président", "présidente", "analyste", "chargé", "chargée",
	"responsable", "gérant", "gérante", "conseiller", "conseillère", "administrateur", "administratrice",
	"secrétaire", "comptable", "stagiaire", "avocat", "avocate", "ingénieur", "trésorier", "trésorière", "général", "générale",
	"secrétaria", "secretária", "tesoureiro", "tesoureira",
	// Spanish and Portuguese
	"socio", "socia", "socios", "sócio", "sócia", "sócios", "fundador", "fundadora", "cofundador",
	"cofundadora", "directora", "diretor", "diretora", "gerente", "presidente", "analista",
	"asociado", "asociada", "associado", "associada", "jefe", "jefa", "coordinador", "coordinadora",
	"coordenador", "coordenadora", "gestor", "gestora", "consejero", "consejera", "conselheiro",
	"conselheira", "asesor", "asesora", "assessor", "assessora", "administrador", "administradora",
	"secretario", "secretaria", "contador", "contadora", "abogado", "abogada", "advogado", "advogada",
	"ingeniero", "ingeniera", "tesorero", "tesorera", "becario", "becaria", "estagiário", "estagiária",
	"chairman", "vicepresidente", "chief",
	// Italian
	"fondatore", "direttore", "direttrice", "amministratore", "amministratrice", "delegato",
	"consigliere", "consulente", "responsabile", "segretaria", "avvocato",
	// Dutch
	"oprichter", "medeoprichter", "eigenaar", "bestuurder", "directielid", "adviseur", "analist",
	"medewerker", "medewerkster", "vennoot",
)

// surnameRoles are role words that are also family names (Leiter, Gestor),
// which do not keep a line from being a name.
var surnameRoles = set("leiter", "gestor", "socia", "jefe", "vennoot")

// foreignOutsideRoles are the words of the other languages for an advisor or
// a supervisory board member: people who help the firm from outside.
var foreignOutsideRoles = set(
	"berater", "beraterin", "beirat", "beirätin", "aufsichtsrat", "aufsichtsrätin",
	"conseiller", "conseillère", "consejero", "consejera", "asesor", "asesora",
	"conselheiro", "conselheira", "consulente", "consigliere", "adviseur", "commissaris",
)

// foreignNameStopWords never appear in a displayed name but do in the
// two-capitalised-word phrases of other languages' page furniture.
var foreignNameStopWords = set(
	"nuestro", "nuestra", "nuestros", "nuestras", "equipo", "équipe", "equipe", "notre", "nos",
	"unser", "unsere", "über", "uns", "sobre", "nosotros", "quiénes", "quienes", "somos", "quem",
	"chi", "siamo", "ons", "kontakt", "contacto", "contato", "inicio", "início", "accueil",
	"startseite", "impressum", "datenschutz", "servicios", "serviços", "fondo", "fondos", "inversiones",
	"inversión", "investimentos", "beteiligungen", "gesellschaft", "mitarbeiter", "empresa", "empresas",
	"société", "sociedad", "mehr", "leer", "más", "lire", "suite", "voir", "ver", "saber",
	"geschäftsführer", "geschäftsführerin", "gründer", "gründerin", "fondateur", "fondatrice",
	"fundador", "fundadora", "directeur", "directrice", "directora", "diretor", "diretora",
	"gerente", "presidente", "président", "analista", "analyste", "socio", "socia", "sócio", "sócia",
	"associé", "associée", "oprichter", "direttore", "amministratore", "vorstand", "partnerin",
)

// Team sections and team links in other languages: heading words and link
// texts (accents folded) that say "our team".
var foreignTeamWords = set(
	"equipo", "equipe", "mitarbeiter", "nosotros", "socios", "associes", "squadra", "medewerkers",
	"gesellschafter", "socis", "socios", "soci",
)

// foreignAboutWords name about pages, which often carry the team.
var foreignAboutWords = []string{
	"uber uns", "ueber uns", "sobre nosotros", "quienes somos", "quem somos", "sobre nos",
	"qui sommes nous", "a propos", "chi siamo", "over ons", "wie zijn wij", "wer wir sind", "nosotros",
}

// CJK team and outside-role markers, matched as substrings since the
// scripts do not separate words.
var (
	cjkTeamMarkers    = []string{"团队", "團隊", "成员", "成員", "チーム", "メンバー", "팀", "구성원", "멤버", "人员", "人員", "我们", "私たち"}
	cjkOutsideMarkers = []string{"顾问", "顧問", "アドバイザー", "고문", "자문", "董事会", "董事會", "理事会", "監査役"}
	cjkRoleMarkers    = []string{
		"合伙人", "合夥人", "创始人", "創始人", "创办人", "創辦人", "董事", "总裁", "總裁", "总经理", "總經理",
		"经理", "經理", "总监", "總監", "主席", "首席", "分析师", "分析師", "副总", "副總", "主管", "助理",
		"顾问", "顧問", "秘书", "秘書", "会计", "會計", "律师", "律師", "研究员", "研究員", "代表", "社长", "社長",
		"取締役", "部長", "課長", "マネージャー", "パートナー", "アソシエイト", "アナリスト", "ディレクター",
		"創業者", "共同創業者", "ファウンダー", "アドバイザー", "プリンシパル",
		"이사", "대표", "파트너", "심사역", "팀장", "부장", "매니저", "회장", "사장", "상무", "전무", "고문",
		"감사", "대리", "주임", "사원", "과장", "차장", "실장", "본부장", "수석", "책임", "선임", "연구원",
		"主任", "担当", "社員", "職員", "专员", "專員", "经理人", "秘書長",
	}
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func containsAny(s string, parts []string) bool {
	for _, p := range parts {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isHangul(r rune) bool { return unicode.Is(unicode.Hangul, r) }

func hasCJK(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return isHan(r) || isHangul(r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
	}) >= 0
}

// chineseSurnames are the commonest single-character family names of
// China, Taiwan and Hong Kong (together borne by some nine in ten people),
// and a few two-character ones.
const chineseSurnames = "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林罗羅高郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖萧蕭田董袁潘蔡蒋蔣余于杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閻段雷侯龙龍史黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂成苗谷盛曲翁冉骆駱蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁窦竇戚岑景党宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢仲虞敖巩鞏明佘池查麻苑迟遲邝鄺"

var compoundSurnames = []string{"欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "尉迟"}

// koreanSurnames are the commonest Korean family names in Hangul.
const koreanSurnames = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감음빈동온시호범좌팽승간상갈"

// cjkNameLike reports a name in Han or Hangul script: a Chinese name (a
// known surname and one or two given characters, no space), a Japanese name
// (family and given name as two Han tokens), or a Korean name (a known
// surname and one or two syllables). Titles and section words are refused.
func cjkNameLike(s string) bool {
	s = collapse(s)
	if s == "" || containsAny(s, cjkRoleMarkers) || containsAny(s, cjkTeamMarkers) || containsAny(s, cjkOutsideMarkers) {
		return false
	}
	toks := strings.Fields(s)
	all := func(t string, f func(rune) bool) bool {
		for _, r := range t {
			if !f(r) {
				return false
			}
		}
		return t != ""
	}
	switch len(toks) {
	case 1:
		t := toks[0]
		n := utf8.RuneCountInString(t)
		if all(t, isHan) {
			for _, c := range compoundSurnames {
				if strings.HasPrefix(t, c) && n >= 3 && n <= 4 {
					return true
				}
			}
			first, _ := utf8.DecodeRuneInString(t)
			return n >= 2 && n <= 3 && strings.ContainsRune(chineseSurnames, first)
		}
		if all(t, isHangul) {
			first, _ := utf8.DecodeRuneInString(t)
			return n >= 2 && n <= 4 && strings.ContainsRune(koreanSurnames, first)
		}
	case 2:
		a, b := toks[0], toks[1]
		na, nb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
		if all(a, isHan) && all(b, isHan) {
			return na >= 1 && na <= 3 && nb >= 1 && nb <= 3
		}
		if all(a, isHangul) && all(b, isHangul) {
			first, _ := utf8.DecodeRuneInString(a)
			return na <= 2 && nb <= 3 && strings.ContainsRune(koreanSurnames, first)
		}
	}
	return false
}

// foldAccents lowers s and removes its accents, for matching link texts and
// headings in languages that write them.
func foldAccents(s string) string {
	out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// foreignTierRules extend tierRules to other languages' titles.
var foreignTierRules = []tierRule{
	{"socio director", firm.Tier1}, {"socio fundador", firm.Tier1}, {"socio gerente", firm.Tier1},
	{"director general", firm.Tier1}, {"directeur général", firm.Tier1}, {"directeur associé", firm.Tier1},
	{"geschäftsführer", firm.Tier1}, {"geschäftsführerin", firm.Tier1}, {"geschäftsführender", firm.Tier1},
	{"partnerin", firm.Tier1}, {"gründer", firm.Tier1}, {"gründerin", firm.Tier1}, {"mitgründer", firm.Tier1},
	{"mitgründerin", firm.Tier1}, {"vorstand", firm.Tier1}, {"socio", firm.Tier1}, {"socia", firm.Tier1},
	{"sócio", firm.Tier1}, {"sócia", firm.Tier1}, {"associé", firm.Tier1}, {"associée", firm.Tier1},
	{"fundador", firm.Tier1}, {"fundadora", firm.Tier1}, {"cofundador", firm.Tier1}, {"cofundadora", firm.Tier1},
	{"fondateur", firm.Tier1}, {"fondatrice", firm.Tier1}, {"cofondateur", firm.Tier1}, {"fondatore", firm.Tier1},
	{"oprichter", firm.Tier1}, {"medeoprichter", firm.Tier1}, {"vennoot", firm.Tier1}, {"presidente", firm.Tier1},
	{"président", firm.Tier1}, {"présidente", firm.Tier1}, {"amministratore delegato", firm.Tier1},
	{"directeur", firm.Tier2}, {"directrice", firm.Tier2}, {"directora", firm.Tier2}, {"diretor", firm.Tier2},
	{"diretora", firm.Tier2}, {"direttore", firm.Tier2}, {"gerente", firm.Tier2}, {"prokurist", firm.Tier2},
	{"prokuristin", firm.Tier2}, {"chargé d affaires", firm.Tier3}, {"chargée d affaires", firm.Tier3},
	{"analista", firm.Tier3}, {"analyste", firm.Tier3}, {"analist", firm.Tier3}, {"analystin", firm.Tier3},
	{"asociado", firm.Tier3}, {"asociada", firm.Tier3}, {"associado", firm.Tier3}, {"associada", firm.Tier3},
}

// cjkTierMarkers map title substrings in Chinese, Japanese and Korean to a
// tier, most senior first.
var cjkTierMarkers = []struct {
	marker string
	tier   int
}{
	{"合伙人", firm.Tier1}, {"合夥人", firm.Tier1}, {"创始人", firm.Tier1}, {"創始人", firm.Tier1},
	{"创办人", firm.Tier1}, {"總裁", firm.Tier1}, {"总裁", firm.Tier1}, {"总经理", firm.Tier1},
	{"總經理", firm.Tier1}, {"代表取締役", firm.Tier1}, {"パートナー", firm.Tier1}, {"創業者", firm.Tier1},
	{"ファウンダー", firm.Tier1}, {"대표", firm.Tier1}, {"파트너", firm.Tier1},
	{"董事", firm.Tier2}, {"总监", firm.Tier2}, {"總監", firm.Tier2}, {"副总", firm.Tier2}, {"副總", firm.Tier2},
	{"ディレクター", firm.Tier2}, {"プリンシパル", firm.Tier2}, {"이사", firm.Tier2}, {"상무", firm.Tier2},
	{"投资经理", firm.Tier3}, {"投資經理", firm.Tier3}, {"分析师", firm.Tier3}, {"分析師", firm.Tier3},
	{"アソシエイト", firm.Tier3}, {"アナリスト", firm.Tier3}, {"심사역", firm.Tier3},
}
