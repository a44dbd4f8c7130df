<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>About Us - Summit Seed Partners</title>
<meta name="description" content="Summit Seed Partners is a pre-seed and seed fund for founders in the Rocky Mountain region.">
<meta name="keywords" content="seed fund, venture capital, Denver, Boulder, Colorado, startups">
<meta property="og:title" content="Summit Seed Partners">
<meta property="og:description" content="Summit Seed Partners is a pre-seed and seed fund for founders in the Rocky Mountain region.">
<link rel="stylesheet" type="text/css" href="/styles.css">
</head>
<body>
<div id="wrapper">
<div id="header">
  <h1>Summit Seed Partners</h1>
  <p class="tagline">First money in for Rocky Mountain founders</p>
</div>
<div id="menu">
  <a href="/">Home</a>
  <a href="/about-us.php" class="active">About Us</a>
  <a href="/portfolio.php">Portfolio</a>
  <a href="/contact.php">Contact</a>
</div>
<div id="content">
<h2>About Us</h2>
<p>Summit Seed Partners was founded in 2014 by a group of Colorado entrepreneurs who were tired of flying to California to raise their first round. We are a small team and we answer our own email.</p>
<p>Our limited partners are mostly founders and executives from companies we have backed, together with two regional foundations.</p>
<h2>Our Team</h2>
<ul class="team">
<li><b>Rachel Okafor</b> &ndash; Managing Director</li>
<li><b>Benjamin Hartley</b> &ndash; Partner</li>
<li>Luc&iacute;a Moreno &ndash; Venture Partner</li>
<li>Kenji Watanabe – Analyst</li>
</ul>
<p>Questions for the team? Write to <a href="mailto:info@summit-seed.demo.test">info@summit-seed.demo.test</a>.</p>
<h2>Our Approach</h2>
<p>We lead rounds when we can and follow great leads when we cannot. We reserve capital for follow-on investments and we never charge portfolio companies for our time.</p>
</div>
<div id="footer">
  <a href="/">Home</a> | <a href="/about-us.php">About Us</a> | <a href="/portfolio.php">Portfolio</a> | <a href="/contact.php">Contact</a><br>
  Copyright &copy; 2014-2026 Summit Seed Partners LLC, 1600 Wynkoop St, Denver, CO 80202. All rights reserved.
</div>
</div>
</body>
</html>
