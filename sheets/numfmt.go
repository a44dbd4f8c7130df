package sheets

import (
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// numFormat is how a numeric cell is turned into text. Only the distinctions
// that change what a person would recognise are kept: a date stored as 45356
// must come out as a date, while thousands separators and currency symbols
// are not worth reproducing.
type numFormat uint8

const (
	numGeneral numFormat = iota
	numDate
	numTime
	numDateTime
	numPercent
)

// maxExcelSerial is 9999-12-31, the last date Excel can show.
const maxExcelSerial = 2_958_466

// builtinFormat classifies the number formats Excel defines by id.
func builtinFormat(id int) numFormat {
	switch {
	case id == 9 || id == 10:
		return numPercent
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 58:
		return numDate
	case id >= 18 && id <= 21, id >= 32 && id <= 35, id == 45, id == 47:
		return numTime
	case id == 22:
		return numDateTime
	}
	return numGeneral
}

// classifyFormat classifies a custom format code such as "dd/mm/yyyy",
// "[$-409]h:mm AM/PM" or "0.0%", looking only at its first section and
// ignoring quoted text, escaped characters and bracketed colours or locales.
func classifyFormat(code string) numFormat {
	var sb strings.Builder
	inQuote := false
scan:
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			inQuote = c != '"'
		case c == '"':
			inQuote = true
		case c == '\\' || c == '_' || c == '*':
			i++ // the next character is literal or padding
		case c == '[':
			end := strings.IndexByte(code[i:], ']')
			if end < 0 {
				break scan
			}
			if inner := strings.ToLower(code[i+1 : i+end]); strings.Trim(inner, "hms") == "" && inner != "" {
				return numGeneral // elapsed time such as [h]:mm is a duration, not a clock time
			}
			i += end
		case c == ';':
			break scan
		default:
			sb.WriteByte(c | 0x20) // ASCII lower case; other bytes never match below
		}
	}
	f := sb.String()
	hasTime := strings.ContainsAny(f, "hs")
	hasDate := strings.ContainsAny(f, "yd") || (!hasTime && strings.Contains(f, "m"))
	switch {
	case hasDate && hasTime:
		return numDateTime
	case hasDate:
		return numDate
	case hasTime:
		return numTime
	case strings.Contains(f, "%"):
		return numPercent
	}
	return numGeneral
}

// formatNumber renders a cached numeric value.
func formatNumber(v string, f numFormat, date1904 bool) string {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return v
	}
	switch f {
	case numDate, numTime, numDateTime:
		if x < 0 || x >= maxExcelSerial {
			break
		}
		t, err := excelize.ExcelDateToTime(x, date1904)
		if err != nil {
			break
		}
		switch {
		case f == numDate:
			return t.Format("2006-01-02")
		case f == numTime:
			return t.Format("15:04:05")
		case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
			return t.Format("2006-01-02")
		default:
			return t.Format("2006-01-02 15:04:05")
		}
	case numPercent:
		return generalNumber(x*100) + "%"
	}
	return generalNumber(x)
}

// generalNumber shows a number as Excel's General format would: at most 15
// significant digits, so 0.1+0.2 stored as 0.30000000000000004 reads 0.3.
func generalNumber(x float64) string {
	y, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
	if a := math.Abs(y); y == 0 || (a >= 1e-9 && a < 1e15) {
		return strconv.FormatFloat(y, 'f', -1, 64)
	}
	return strconv.FormatFloat(y, 'g', -1, 64)
}
