package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"
)

// sessionCookie carries the dashboard's proof of the token, set by
// POST /api/login so that plain links (workbook downloads) work too.
const sessionCookie = "vcenrich_session"

// sessionValue is what the cookie holds: derived from the token rather than
// the token itself, so the browser never stores the credential scripts and
// other clients use.
func sessionValue(token string) string {
	sum := sha256.Sum256([]byte("vcenrich dashboard session\x00" + token))
	return hex.EncodeToString(sum[:])
}

// same compares secrets in constant time, whatever their lengths.
func same(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return got != "" && subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// authed reports whether the request carries the API token, as a bearer
// header or as the dashboard's session cookie. Without a configured token
// every request is. A wrong token counts as a guess against the client's
// address; an address out of guesses is not believed whatever it sends, and
// wait says for how long.
func (s *Server) authed(c *gin.Context) (ok bool, wait time.Duration) {
	if s.cfg.Token == "" {
		return true, 0
	}
	var got, want string
	cookie := false
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			got = strings.TrimSpace(tok)
		}
		want = s.cfg.Token
	} else if v, err := c.Cookie(sessionCookie); err == nil {
		got, want, cookie = v, sessionValue(s.cfg.Token), true
	} else {
		return false, 0 // no token at all is not a guess
	}
	now := time.Now()
	if wait := s.guesses.wait(c.ClientIP(), now); wait > 0 {
		return false, wait
	}
	if same(got, want) {
		return true, 0
	}
	s.wrongToken(c, now)
	if cookie {
		// A cookie from before the token changed: drop it, so the
		// dashboard's polling does not spend the address's guesses.
		clearSession(c)
	}
	return false, 0
}

func (s *Server) requireToken(c *gin.Context) {
	ok, wait := s.authed(c)
	switch {
	case ok:
		c.Next()
	case wait > 0:
		s.tooManyGuesses(c, wait)
	default:
		c.Header("WWW-Authenticate", `Bearer realm="vcenrich"`)
		fail(c, http.StatusUnauthorized, "this server needs its API token: send it as \"Authorization: Bearer TOKEN\", or sign in on the dashboard")
	}
}

func (s *Server) wrongToken(c *gin.Context, now time.Time) {
	if s.guesses.wrong(c.ClientIP(), now) {
		s.log.Warn("wrong API tokens: this address is refused for a while", zap.String("client", c.ClientIP()), zap.String("path", c.Request.URL.Path))
	}
}

// retryAfter is a wait in whole seconds, rounded up, as Retry-After says it.
func retryAfter(wait time.Duration) int { return int(math.Ceil(wait.Seconds())) }

func (s *Server) tooManyGuesses(c *gin.Context, wait time.Duration) {
	secs := retryAfter(wait)
	c.Header("Retry-After", strconv.Itoa(secs))
	fail(c, http.StatusTooManyRequests, fmt.Sprintf("too many wrong API tokens from this address: try again in %d s", secs))
}

// login checks the token the dashboard's prompt sends and sets the session
// cookie: HttpOnly so scripts cannot read it, SameSite=Strict so other sites
// cannot send it.
func (s *Server) login(c *gin.Context) {
	if s.cfg.Token == "" {
		c.Status(http.StatusNoContent)
		return
	}
	now := time.Now()
	if wait := s.guesses.wait(c.ClientIP(), now); wait > 0 {
		s.tooManyGuesses(c, wait)
		return
	}
	var body struct {
		Token string `json:"token" form:"token"`
	}
	if err := c.ShouldBind(&body); err != nil || strings.TrimSpace(body.Token) == "" {
		fail(c, http.StatusBadRequest, "send the API token as JSON {\"token\": \"…\"} or as a form field named token")
		return
	}
	if !same(strings.TrimSpace(body.Token), s.cfg.Token) {
		s.wrongToken(c, now)
		fail(c, http.StatusUnauthorized, "that is not this server's API token")
		return
	}
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(sessionCookie, sessionValue(s.cfg.Token), 0, "/api", "", c.Request.TLS != nil, true)
	c.Status(http.StatusNoContent)
}

func (s *Server) logout(c *gin.Context) {
	clearSession(c)
	c.Status(http.StatusNoContent)
}

func clearSession(c *gin.Context) {
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(sessionCookie, "", -1, "/api", "", c.Request.TLS != nil, true)
}
