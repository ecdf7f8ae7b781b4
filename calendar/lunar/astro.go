package lunar

import "math"

// Astronomy for the Chinese calendar (GB/T 33661-2017 reckons in Beijing
// time, UTC+8): new moons after Meeus, "Astronomical Algorithms" (2nd ed.)
// ch. 49, with all periodic and planetary terms (error well under a
// minute), and the Sun's apparent longitude after ch. 25's low-accuracy
// theory with nutation and aberration (about 0.01°, some 15 minutes of a
// solar term's time). Julian days are TT (JDE) unless noted.

const deg = math.Pi / 180

func sin(d float64) float64 { return math.Sin(d * deg) }

// newMoonJDE is the JDE of lunation k (k = 0 the new moon of 2000-01-06).
func newMoonJDE(k float64) float64 {
	T := k / 1236.85
	T2, T3, T4 := T*T, T*T*T, T*T*T*T
	jde := 2451550.09766 + 29.530588861*k + 0.00015437*T2 - 0.000000150*T3 + 0.00000000073*T4
	E := 1 - 0.002516*T - 0.0000074*T2
	M := 2.5534 + 29.10535670*k - 0.0000014*T2 - 0.00000011*T3
	Mp := 201.5643 + 385.81693528*k + 0.0107582*T2 + 0.00001238*T3 - 0.000000058*T4
	F := 160.7108 + 390.67050284*k - 0.0016118*T2 - 0.00000227*T3 + 0.000000011*T4
	O := 124.7746 - 1.56375588*k + 0.0020672*T2 + 0.00000215*T3
	jde += -0.40720*sin(Mp) + 0.17241*E*sin(M) + 0.01608*sin(2*Mp) + 0.01039*sin(2*F) +
		0.00739*E*sin(Mp-M) - 0.00514*E*sin(Mp+M) + 0.00208*E*E*sin(2*M) - 0.00111*sin(Mp-2*F) -
		0.00057*sin(Mp+2*F) + 0.00056*E*sin(2*Mp+M) - 0.00042*sin(3*Mp) + 0.00042*E*sin(M+2*F) +
		0.00038*E*sin(M-2*F) - 0.00024*E*sin(2*Mp-M) - 0.00017*sin(O) - 0.00007*sin(Mp+2*M) +
		0.00004*sin(2*Mp-2*F) + 0.00004*sin(3*M) + 0.00003*sin(Mp+M-2*F) + 0.00003*sin(2*Mp+2*F) -
		0.00003*sin(Mp+M+2*F) + 0.00003*sin(Mp-M+2*F) - 0.00002*sin(Mp-M-2*F) - 0.00002*sin(3*Mp+M) +
		0.00002*sin(4*Mp)
	planets := [14][3]float64{
		{299.77, 0.107408, 0.000325}, {251.88, 0.016321, 0.000165}, {251.83, 26.651886, 0.000164},
		{349.42, 36.412478, 0.000126}, {84.66, 18.206239, 0.000110}, {141.74, 53.303771, 0.000062},
		{207.14, 2.453732, 0.000060}, {154.84, 7.306860, 0.000056}, {34.52, 27.261239, 0.000047},
		{207.19, 0.121824, 0.000042}, {291.34, 1.844379, 0.000040}, {161.72, 24.198154, 0.000037},
		{239.56, 25.513099, 0.000035}, {331.55, 3.592518, 0.000023},
	}
	for i, p := range planets {
		a := p[0] + p[1]*k
		if i == 0 {
			a -= 0.009173 * T2
		}
		jde += p[2] * sin(a)
	}
	return jde
}

// sunLongitude is the Sun's apparent geocentric longitude in degrees
// [0, 360) at jde.
func sunLongitude(jde float64) float64 {
	T := (jde - 2451545.0) / 36525
	L0 := 280.46646 + 36000.76983*T + 0.0003032*T*T
	M := 357.52911 + 35999.05029*T - 0.0001537*T*T
	C := (1.914602-0.004817*T-0.000014*T*T)*sin(M) + (0.019993-0.000101*T)*sin(2*M) + 0.000289*sin(3*M)
	O := 125.04 - 1934.136*T
	lon := L0 + C - 0.00569 - 0.00478*sin(O)
	return math.Mod(math.Mod(lon, 360)+360, 360)
}

// sunAt returns the JDE when the Sun's apparent longitude is target,
// searching near guess.
func sunAt(target, guess float64) float64 {
	jde := guess
	for range 20 {
		d := target - sunLongitude(jde)
		d = math.Mod(d+540, 360) - 180
		jde += d * 365.2422 / 360
		if math.Abs(d) < 1e-7 {
			break
		}
	}
	return jde
}

// deltaT is TT − UT in seconds (Espenak and Meeus polynomials, 2006).
func deltaT(year float64) float64 {
	switch {
	case year >= 2005 && year < 2050:
		t := year - 2000
		return 62.92 + 0.32217*t + 0.005589*t*t
	case year >= 1986 && year < 2005:
		t := year - 2000
		return 63.86 + 0.3345*t - 0.060374*t*t + 0.0017275*t*t*t + 0.000651814*t*t*t*t + 0.00002373599*t*t*t*t*t
	case year >= 1961 && year < 1986:
		t := year - 1975
		return 45.45 + 1.067*t - t*t/260 - t*t*t/718
	case year >= 1941 && year < 1961:
		t := year - 1950
		return 29.07 + 0.407*t - t*t/233 + t*t*t/2547
	default:
		u := (year - 1820) / 100
		return -20 + 32*u*u
	}
}

// beijingDay turns a JDE into a day number (days since 1970-01-01) of the
// Beijing civil date it falls on.
func beijingDay(jde float64) int {
	year := 2000 + (jde-2451545.0)/365.25
	jdUT := jde - deltaT(year)/86400
	return int(math.Floor(jdUT + 0.5 - 2440588 + 8.0/24))
}

// dayJD is the JD (UT) of noon of day number n, Beijing.
func dayJD(n int) float64 { return float64(n) + 2440587.5 + 0.5 - 8.0/24 }
