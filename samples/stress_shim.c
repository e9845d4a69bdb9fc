// SPDX-License-Identifier: GPL-2.0
/* What the stress sample's Rust cannot reach: page_to_pfn() is a macro. */
#include <linux/mm.h>

unsigned long oomfrag_stress_pfn(struct page *page);

unsigned long oomfrag_stress_pfn(struct page *page)
{
	return page_to_pfn(page);
}
