// Package chart draws the pictures a coach looks at instead of reading: a
// client's check-in calendar for a cycle, energy over time, each rock's
// progress over the cycle and a scorecard measurable against its goal.
//
// Each chart is a plain value (its data, in this package's own types) with
// a PNG method. Charts are drawn with gonum.org/v1/plot at chat size
// (800×400 pixels), with a title, axes and a legend, in the Okabe–Ito
// palette, which people with any common colour vision deficiency tell
// apart. The fonts are the Liberation fonts embedded in gonum, and nothing
// depends on the clock, so the same data gives the same pixels. Data that
// says little (none at all, one point, all zero) still gives a chart that
// says so, never a panic.
package chart
