// SPDX-License-Identifier: GPL-2.0
/*
 * Unsolicited SYNs (RFC 5382 REQ-4) when tcp_unsolicited_syn is
 * port-unreachable: the SYN is held 6 seconds, then answered with an ICMP
 * port unreachable, unless an inside host's SYN for that connection was
 * translated meanwhile (simultaneous open, TCP hole punching): then it is
 * dropped silently. The queue is bounded, so the outside cannot make the
 * router hold more; a SYN that finds it full is dropped unanswered, as
 * with the default, "drop". A held SYN keeps its input route and device.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/tcp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include "lnat.h"

#define LNAT_HOLD_TIME	(6 * HZ)	/* RFC 5382 REQ-4: at least 6 s */
#define LNAT_HOLD_MAX	64		/* SYNs held per netns */

/*
 * Behind IPCB, which icmp_send() reads to echo the SYN's IP options: when
 * it came, and its 4-tuple, so lnat_hold_cancel() reads no headers.
 */
struct lnat_hold_cb {
	struct inet_skb_parm h;
	unsigned long since;		/* jiffies */
	__be32 saddr, daddr;
	__be16 sport, dport;
};

static struct lnat_hold_cb *lnat_hold_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct lnat_hold_cb) > sizeof_field(struct sk_buff, cb));
	return (struct lnat_hold_cb *)skb->cb;
}

static void lnat_hold_free(struct sk_buff *skb, bool answered)
{
	struct net_device *dev = skb->dev;

	if (answered)
		consume_skb(skb);
	else
		kfree_skb(skb);
	dev_put(dev);
}

static void lnat_hold_work(struct work_struct *work)
{
	struct lnat_net *ln = container_of(to_delayed_work(work),
					   struct lnat_net, hold_work);
	unsigned long now = jiffies, at = 0;
	bool answer, rearm = false;
	struct sk_buff_head due;
	struct sk_buff *skb;

	__skb_queue_head_init(&due);
	spin_lock_bh(&ln->held.lock);
	while ((skb = skb_peek(&ln->held))) {
		at = lnat_hold_cb(skb)->since + LNAT_HOLD_TIME;
		rearm = time_before(now, at);
		if (rearm)
			break;
		__skb_unlink(skb, &ln->held);
		__skb_queue_tail(&due, skb);
	}
	spin_unlock_bh(&ln->held.lock);

	while ((skb = __skb_dequeue(&due))) {
		/*
		 * A route that died meanwhile (its address went) points at
		 * the blackhole device, in another netns: no answer then.
		 */
		answer = skb_dst(skb)->obsolete != DST_OBSOLETE_DEAD;
		if (answer) {
			/* As from the SYN's softirq: icmp_send() expects it. */
			local_bh_disable();
			rcu_read_lock();
			icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
			rcu_read_unlock();
			local_bh_enable();
		}
		lnat_hold_free(skb, answer);
	}
	if (rearm)
		queue_delayed_work(system_power_efficient_wq, &ln->hold_work,
				   at - now);
}

/**
 * lnat_hold_syn() - hold an unsolicited SYN for 6 seconds
 * @ln: the netns's state
 * @skb: a SYN at LOCAL_IN, with its input route
 * @th: its TCP header
 *
 * Context: softirq, rcu_read_lock held.
 * Return: true if @skb is held (the caller returns NF_STOLEN), false if the
 * queue is full or the route is going away (the caller drops it).
 */
bool lnat_hold_syn(struct lnat_net *ln, struct sk_buff *skb,
		   const struct tcphdr *th)
{
	struct lnat_hold_cb *cb = lnat_hold_cb(skb);
	bool held = false;

	if (!skb_dst_force(skb))
		return false;
	/* Its connection never gets confirmed: let conntrack forget it. */
	nf_reset_ct(skb);
	cb->saddr = ip_hdr(skb)->saddr;
	cb->daddr = ip_hdr(skb)->daddr;
	cb->sport = th->source;
	cb->dport = th->dest;
	spin_lock_bh(&ln->held.lock);
	if (skb_queue_len(&ln->held) < LNAT_HOLD_MAX) {
		cb->since = jiffies;
		dev_hold(skb->dev);
		__skb_queue_tail(&ln->held, skb);
		held = true;
	}
	spin_unlock_bh(&ln->held.lock);
	/* A no-op while the work is pending, which it is while SYNs are held. */
	queue_delayed_work(system_power_efficient_wq, &ln->hold_work,
			   LNAT_HOLD_TIME);
	return held;
}

/**
 * lnat_hold_cancel() - an inside host's SYN answers a held one
 * @ln: the netns's state
 * @r: the reply tuple of the mapping the inside SYN was translated by: the
 *	remote end (source) and the external endpoint (destination)
 *
 * The held SYNs of that connection (the first and its retransmissions) are
 * dropped silently: the inside host's SYN reaches their sender, whose
 * simultaneous open goes on.
 *
 * Context: softirq or process, rcu_read_lock held; takes the queue's lock
 * only while SYNs are held.
 */
void lnat_hold_cancel(struct lnat_net *ln, const struct lnat_tuple *r)
{
	struct sk_buff *skb, *tmp;
	struct sk_buff_head gone;

	if (skb_queue_empty_lockless(&ln->held))
		return;
	__skb_queue_head_init(&gone);
	spin_lock_bh(&ln->held.lock);
	skb_queue_walk_safe(&ln->held, skb, tmp) {
		const struct lnat_hold_cb *cb = lnat_hold_cb(skb);

		if (cb->saddr == r->saddr && cb->daddr == r->daddr &&
		    cb->sport == r->sport && cb->dport == r->dport) {
			__skb_unlink(skb, &ln->held);
			__skb_queue_tail(&gone, skb);
		}
	}
	spin_unlock_bh(&ln->held.lock);
	while ((skb = __skb_dequeue(&gone)))
		lnat_hold_free(skb, false);
}

/**
 * lnat_hold_flush() - drop held SYNs without an answer
 * @ln: the netns's state
 * @dev: those that arrived on this device (being unregistered), or NULL
 *	for all (the netns's exit)
 *
 * Context: process (RTNL held for a device); may sleep for all.
 */
void lnat_hold_flush(struct lnat_net *ln, const struct net_device *dev)
{
	struct sk_buff *skb, *tmp;
	struct sk_buff_head gone;

	if (!dev)
		cancel_delayed_work_sync(&ln->hold_work);
	__skb_queue_head_init(&gone);
	spin_lock_bh(&ln->held.lock);
	skb_queue_walk_safe(&ln->held, skb, tmp) {
		if (!dev || skb->dev == dev) {
			__skb_unlink(skb, &ln->held);
			__skb_queue_tail(&gone, skb);
		}
	}
	spin_unlock_bh(&ln->held.lock);
	while ((skb = __skb_dequeue(&gone)))
		lnat_hold_free(skb, false);
}

/**
 * lnat_hold_init() - an empty queue of held SYNs
 * @ln: the netns's state
 *
 * Context: process, the netns's setup.
 */
void lnat_hold_init(struct lnat_net *ln)
{
	skb_queue_head_init(&ln->held);
	INIT_DELAYED_WORK(&ln->hold_work, lnat_hold_work);
}
