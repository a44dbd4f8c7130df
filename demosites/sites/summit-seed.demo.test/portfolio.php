<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Portfolio - Summit Seed Partners</title>
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
  <a href="/about-us.php">About Us</a>
  <a href="/portfolio.php" class="active">Portfolio</a>
  <a href="/contact.php">Contact</a>
</div>
<div id="content">
<h2>Portfolio</h2>
<p>A selection of current portfolio companies:</p>
<table class="portfolio" width="100%" cellspacing="0">
<tr><td width="200"><a href="https://trailheadanalytics.example"><img src="/img/trailhead-analytics.svg" alt="Trailhead Analytics" border="0"></a></td><td>Visitor analytics for state and national parks. Boulder, CO.</td></tr>
<tr><td><a href="https://alpinerobotics.example"><img src="/img/alpine-robotics.svg" alt="Alpine Robotics" border="0"></a></td><td>Autonomous snow grooming and slope maintenance. Salt Lake City, UT.</td></tr>
<tr><td><a href="https://snowmelt.example"><img src="/img/snowmelt.svg" alt="Snowmelt" border="0"></a></td><td>Water rights marketplace for agriculture. Fort Collins, CO.</td></tr>
<tr><td><a href="https://basecamphr.example"><img src="/img/basecamp-hr.svg" alt="Basecamp HR" border="0"></a></td><td>Payroll and benefits for seasonal employers. Bozeman, MT.</td></tr>
</table>
</div>
<div id="footer">
  <a href="/">Home</a> | <a href="/about-us.php">About Us</a> | <a href="/portfolio.php">Portfolio</a> | <a href="/contact.php">Contact</a><br>
  Copyright &copy; 2014-2026 Summit Seed Partners LLC, 1600 Wynkoop St, Denver, CO 80202. All rights reserved.
</div>
</div>
</body>
</html>
