<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Contact - Summit Seed Partners</title>
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
  <a href="/portfolio.php">Portfolio</a>
  <a href="/contact.php" class="active">Contact</a>
</div>
<div id="content">
<h2>Contact</h2>
<p>Summit Seed Partners<br>
1600 Wynkoop St, Suite 200<br>
Denver, CO 80202</p>
<p>Phone: (303) 555-0187<br>
Email: <a href="mailto:info@summit-seed.demo.test">info@summit-seed.demo.test</a></p>
<p>Founders: please email a deck rather than calling. We review every submission within two weeks.</p>
</div>
<div id="footer">
  <a href="/">Home</a> | <a href="/about-us.php">About Us</a> | <a href="/portfolio.php">Portfolio</a> | <a href="/contact.php">Contact</a><br>
  Copyright &copy; 2014-2026 Summit Seed Partners LLC, 1600 Wynkoop St, Denver, CO 80202. All rights reserved.
</div>
</div>
</body>
</html>
