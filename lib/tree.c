/* Intrusive AVL tree: see tree.h. */
#include "tree.h"

void tree_init(struct tree *t, tree_cmp_fn cmp)
{
	*t = (struct tree){ .cmp = cmp };
}

static int height(const struct tree_node *n)
{
	return n ? n->height : 0;
}

static void update_height(struct tree_node *n)
{
	int l = height(n->left), r = height(n->right);
	n->height = (l > r ? l : r) + 1;
}

/* Puts child where old was under parent (or at the root). */
static void replace_child(struct tree *t, struct tree_node *parent,
			  struct tree_node *old, struct tree_node *child)
{
	if (!parent)
		t->root = child;
	else if (parent->left == old)
		parent->left = child;
	else
		parent->right = child;
	if (child)
		child->parent = parent;
}

static struct tree_node *rotate_left(struct tree *t, struct tree_node *x)
{
	struct tree_node *y = x->right;
	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
	update_height(x);
	update_height(y);
	return y;
}

static struct tree_node *rotate_right(struct tree *t, struct tree_node *x)
{
	struct tree_node *y = x->left;
	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
	update_height(x);
	update_height(y);
	return y;
}

/* Restores heights and balance from n up to the root. */
static void rebalance(struct tree *t, struct tree_node *n)
{
	while (n) {
		update_height(n);
		int balance = height(n->left) - height(n->right);
		if (balance > 1) {
			if (height(n->left->left) < height(n->left->right))
				rotate_left(t, n->left);
			n = rotate_right(t, n);
		} else if (balance < -1) {
			if (height(n->right->right) < height(n->right->left))
				rotate_right(t, n->right);
			n = rotate_left(t, n);
		}
		n = n->parent;
	}
}

struct tree_node *tree_find(const struct tree *t, const void *key)
{
	struct tree_node *n = t->root;
	while (n) {
		int c = t->cmp(key, n);
		if (c == 0)
			return n;
		n = c < 0 ? n->left : n->right;
	}
	return NULL;
}

struct tree_node *tree_search(struct tree *t, const void *key,
			      struct tree_pos *pos)
{
	struct tree_node *parent = NULL, **link = &t->root;
	while (*link) {
		parent = *link;
		int c = t->cmp(key, parent);
		if (c == 0)
			return parent;
		link = c < 0 ? &parent->left : &parent->right;
	}
	*pos = (struct tree_pos){ parent, link };
	return NULL;
}

void tree_insert_at(struct tree *t, struct tree_node *node,
		    const struct tree_pos *pos)
{
	*node = (struct tree_node){ .parent = pos->parent, .height = 1 };
	*pos->link = node;
	t->count++;
	rebalance(t, pos->parent);
}

struct tree_node *tree_last(const struct tree *t)
{
	/* The last node has no right child. */
	struct tree_node *n = t->root;
	while (n && n->right)
		n = n->right;
	return n;
}

void tree_append(struct tree *t, struct tree_node *node)
{
	struct tree_node *last = tree_last(t);
	struct tree_pos pos = { last, last ? &last->right : &t->root };
	tree_insert_at(t, node, &pos);
}

struct tree_node *tree_insert(struct tree *t, struct tree_node *node,
			      const void *key)
{
	struct tree_pos pos;
	struct tree_node *old = tree_search(t, key, &pos);
	if (!old)
		tree_insert_at(t, node, &pos);
	return old;
}

void tree_remove(struct tree *t, struct tree_node *n)
{
	struct tree_node *start;
	if (n->left && n->right) {
		/* The successor s (no left child) takes n's place. */
		struct tree_node *s = n->right;
		while (s->left)
			s = s->left;
		if (s->parent != n) {
			start = s->parent;
			start->left = s->right;
			if (s->right)
				s->right->parent = start;
			s->right = n->right;
			n->right->parent = s;
		} else {
			start = s;
		}
		s->left = n->left;
		n->left->parent = s;
		replace_child(t, n->parent, n, s);
		s->height = n->height;
	} else {
		start = n->parent;
		replace_child(t, n->parent, n, n->left ? n->left : n->right);
	}
	t->count--;
	rebalance(t, start);
}

struct tree_node *tree_first(const struct tree *t)
{
	struct tree_node *n = t->root;
	while (n && n->left)
		n = n->left;
	return n;
}

struct tree_node *tree_next(const struct tree_node *n)
{
	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return (struct tree_node *)n;
	}
	while (n->parent && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

struct tree_node *tree_drain(struct tree *t)
{
	struct tree_node *n = t->root;
	if (!n)
		return NULL;
	while (n->left || n->right)
		n = n->left ? n->left : n->right;
	replace_child(t, n->parent, n, NULL);
	t->count--;
	return n;
}
